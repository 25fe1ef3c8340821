# spark shell integration for zsh: the user's .zprofile, read with the user's ZDOTDIR.
if [[ -n $__spark_user_zdotdir_set ]]; then ZDOTDIR=$__spark_user_zdotdir; else unset ZDOTDIR; fi
if [[ -r ${ZDOTDIR:-$HOME}/.zprofile ]]; then
	builtin source "${ZDOTDIR:-$HOME}/.zprofile"
fi
typeset -g __spark_user_zdotdir_set=${ZDOTDIR+1} __spark_user_zdotdir=${ZDOTDIR-}
ZDOTDIR=$__spark_zdotdir
