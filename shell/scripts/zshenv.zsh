# spark shell integration for zsh: spark points ZDOTDIR at a directory holding this .zshenv, a
# .zprofile and a .zshrc. Each reads the user's own file with ZDOTDIR restored to the user's value;
# between them ZDOTDIR points back here so that zsh reads the next one from this directory. After
# the user's .zshrc the hooks are installed and ZDOTDIR stays the user's for good (.zlogin and every
# zsh started later read the user's files directly).
typeset -g __spark_zdotdir=$ZDOTDIR
if [[ -n ${SPARK_ZDOTDIR_SET-} ]]; then
	ZDOTDIR=$SPARK_ZDOTDIR
else
	unset ZDOTDIR
fi
unset SPARK_ZDOTDIR SPARK_ZDOTDIR_SET
if [[ -r ${ZDOTDIR:-$HOME}/.zshenv ]]; then
	builtin source "${ZDOTDIR:-$HOME}/.zshenv"
fi
if [[ -o interactive && -n ${SPARK_SHELL_NONCE-} ]]; then
	typeset -g __spark_user_zdotdir_set=${ZDOTDIR+1} __spark_user_zdotdir=${ZDOTDIR-}
	ZDOTDIR=$__spark_zdotdir
else
	unset __spark_zdotdir
fi
