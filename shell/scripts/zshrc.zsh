# spark shell integration for zsh: the user's .zshrc, read with the user's ZDOTDIR, then the hooks
# that report each command to spark with private OSC marks. PS1 is left alone and nothing forks.
if [[ -n $__spark_user_zdotdir_set ]]; then ZDOTDIR=$__spark_user_zdotdir; else unset ZDOTDIR; fi
unset __spark_zdotdir __spark_user_zdotdir __spark_user_zdotdir_set
if [[ -r ${ZDOTDIR:-$HOME}/.zshrc ]]; then
	builtin source "${ZDOTDIR:-$HOME}/.zshrc"
fi

# __spark_esc sets REPLY to $1 with the characters that could end or garble a mark escaped.
__spark_esc() {
	emulate -L zsh
	local s=$1
	s=${s//\\/\\\\}
	s=${s//;/\\x3b}
	s=${s//$'\n'/\\n}
	s=${s//$'\r'/\\r}
	s=${s//$'\t'/\\t}
	s=${s//$'\e'/\\e}
	s=${s//$'\a'/\\a}
	REPLY=$s
}

# __spark_preexec is the last preexec hook, so output of the user's own preexec hooks is not part
# of the command's. $1 is the line as typed (with a leading space when private); $3 the full text
# when history is off.
__spark_preexec() {
	emulate -L zsh
	local cmd=$1
	if [[ -z $cmd ]]; then cmd=$3; fi
	if [[ -z $cmd || $cmd == [[:space:]]* ]]; then return 0; fi
	typeset -g __spark_started=1
	local REPLY
	__spark_esc "$PWD"
	local cwd=$REPLY
	__spark_esc "$cmd"
	builtin printf '%sS;%s;%s\a' "$__spark_p" "$cwd" "$REPLY" 2>/dev/null >/dev/tty
	return 0
}

# __spark_precmd reads $? first and sends the end mark. zsh gives every precmd hook the command's
# status, so the user's hooks see it unchanged.
__spark_precmd() {
	local s=$?
	emulate -L zsh
	if [[ $__spark_started == 1 ]]; then
		typeset -g __spark_started=0
		builtin printf '%sE;%s\a' "$__spark_p" "$s" 2>/dev/null >/dev/tty
	fi
	return $s
}

__spark_install() {
	emulate -L zsh
	local nonce=${SPARK_SHELL_NONCE-}
	unset SPARK_SHELL_NONCE
	if [[ -z $nonce || -z ${SPARK_SESSION-} || -n ${__spark_p-} ]]; then return 0; fi
	typeset -g __spark_p=$'\e]6973;'"$nonce;" __spark_started=0
	typeset -ga preexec_functions precmd_functions
	preexec_functions=(${preexec_functions:#__spark_preexec} __spark_preexec)
	precmd_functions=(__spark_precmd ${precmd_functions:#__spark_precmd})
}
__spark_install
unfunction __spark_install
