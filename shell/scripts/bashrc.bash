# spark shell integration for bash, read through --rcfile in place of ~/.bashrc. It reads the
# user's own startup files as bash would have, then installs hooks that report each command to
# spark with private OSC marks. No dotfile is edited and PS1 is left alone. The hooks fork nothing
# per prompt: builtins, parameter expansion, and one small file in the session directory.

# Some builds of bash (Debian's, Arch's) read /etc/bash.bashrc before the rcfile. spark starts
# bash with $_ set to this file's path; if a startup command ran before, $_ has changed.
__spark_underscore=$_
if [[ ${SPARK_BASH_LOGIN-} == 1 ]]; then
	builtin unset SPARK_BASH_LOGIN
	# --rcfile and --login do not mix: read the login files the way bash -l does.
	if [[ -r /etc/profile ]]; then . /etc/profile; fi
	if [[ -r ~/.bash_profile ]]; then
		. ~/.bash_profile
	elif [[ -r ~/.bash_login ]]; then
		. ~/.bash_login
	elif [[ -r ~/.profile ]]; then
		. ~/.profile
	fi
else
	if [[ $__spark_underscore == "${BASH_SOURCE[0]}" && -r /etc/bash.bashrc ]]; then
		. /etc/bash.bashrc
	fi
	if [[ -r ~/.bashrc ]]; then . ~/.bashrc; fi
fi
builtin unset __spark_underscore

# __spark_esc sets __spark_e to $1 with the characters that could end or garble a mark escaped.
__spark_esc() {
	local s=$1
	s=${s//\\/\\\\}
	s=${s//;/\\x3b}
	s=${s//$'\n'/\\n}
	s=${s//$'\r'/\\r}
	s=${s//$'\t'/\\t}
	s=${s//$'\e'/\\e}
	s=${s//$'\a'/\\a}
	__spark_e=$s
}

# __spark_preexec runs from the DEBUG trap before every simple command. PS0 arms it when a command
# line has been read, so it acts once per line and never for PROMPT_COMMAND, completion or key
# bindings. It hands the status on to a chained user trap.
__spark_preexec() {
	local s=$?
	if [[ $__spark_armed == 1 && $BASH_COMMAND != __spark_precmd* && -z ${FUNCNAME[1]-} ]]; then
		__spark_armed=0
		if [[ -z ${COMP_LINE-} && -z ${READLINE_POINT-} ]]; then
			__spark_start 1
		fi
	fi
	if [[ -n $__spark_user_trap ]]; then return $s; fi
	return 0
}

# __spark_start sends the start mark: the command line as history has it, and the directory.
# $1 is 1 when $BASH_COMMAND is the command's first simple command.
__spark_start() {
	__spark_histcontrol_restore
	if [[ ${PROMPT_COMMAND[0]-} != __spark_precmd* ]]; then __spark_prompt_command; fi
	__spark_hist
	local num=$__spark_hnum cmd=$__spark_hcmd
	if [[ -z $num || $num == "$__spark_hn" ]]; then
		# No new history entry (ignoredups, HISTIGNORE, history off): the last entry is this
		# command only if it starts like the one running.
		if [[ $1 != 1 ]]; then return 0; fi
		if [[ -z $cmd || $cmd != *"${BASH_COMMAND%% *}"* ]]; then cmd=$BASH_COMMAND; fi
		num=
	else
		__spark_hn=$num
	fi
	if [[ $cmd == [[:space:]]* ]]; then
		# Private. With ignorespace the user wants it out of history too.
		if [[ -n $num && $__spark_hc_space == 1 ]]; then
			builtin history -d "$num" 2>/dev/null || :
			__spark_hn=$((num - 1))
		fi
		return 0
	fi
	if [[ -z $cmd ]]; then return 0; fi
	__spark_started=1
	__spark_esc "$PWD"
	local cwd=$__spark_e
	__spark_esc "$cmd"
	builtin printf '%sS;%s;%s\a' "$__spark_p" "$cwd" "$__spark_e" 2>/dev/null >/dev/tty || :
}

# __spark_precmd is the first element of PROMPT_COMMAND: it reads $? before anything else, sends the
# end mark and returns the same status for the rest of PROMPT_COMMAND.
__spark_precmd() {
	local s=$?
	if [[ $__spark_hn == - ]]; then
		# History is read after the startup files: take its last number at the first prompt.
		__spark_hist
		__spark_hn=$__spark_hnum
	fi
	if [[ $__spark_armed == 1 ]]; then
		# A command line ran but the DEBUG trap did not fire in this shell: a subshell like
		# "(cd x && make)", or a DEBUG trap set later replaced spark's. The command is taken
		# from history; its output was marked by PS0.
		__spark_armed=0
		__spark_start 0
	fi
	if [[ $__spark_started == 1 ]]; then
		__spark_started=0
		builtin printf '%sE;%s\a' "$__spark_p" "$s" 2>/dev/null >/dev/tty || :
	fi
	# With ignorespace bash would drop a private line before the hooks see it; spark reads the
	# line with the space and then deletes it from history itself, as HISTCONTROL asks.
	__spark_histcontrol_restore
	if [[ ${HISTCONTROL-} == *ignorespace* || ${HISTCONTROL-} == *ignoreboth* ]]; then
		__spark_hc_user=$HISTCONTROL
		__spark_hc_space=1
		local hc=${HISTCONTROL//ignorespace/}
		HISTCONTROL=${hc//ignoreboth/ignoredups}
		__spark_hc_adj=$HISTCONTROL
	else
		__spark_hc_space=0
	fi
	if [[ $PS0 != *"$__spark_ps0"* ]]; then PS0+=$__spark_ps0; fi
	return $s
}

# __spark_hist sets __spark_hnum and __spark_hcmd to the number and text of the last history
# entry.
__spark_hist() {
	local line= re='^ *([0-9]+)[* ] (.*)$'
	__spark_hnum= __spark_hcmd=
	if HISTTIMEFORMAT= builtin history 1 2>/dev/null >|"$__spark_f"; then
		IFS= builtin read -r -d '' line <"$__spark_f" || :
	fi
	if [[ $line =~ $re ]]; then
		__spark_hnum=${BASH_REMATCH[1]}
		__spark_hcmd=${BASH_REMATCH[2]%$'\n'}
	fi
}

# __spark_prompt_command puts __spark_precmd first in PROMPT_COMMAND, keeping the user's.
__spark_prompt_command() {
	if ((BASH_VERSINFO[0] > 5 || (BASH_VERSINFO[0] == 5 && BASH_VERSINFO[1] >= 1))); then
		PROMPT_COMMAND=(__spark_precmd "${PROMPT_COMMAND[@]}")
	else
		PROMPT_COMMAND=__spark_precmd${PROMPT_COMMAND:+$'\n'$PROMPT_COMMAND}
	fi
}

__spark_histcontrol_restore() {
	if [[ -n ${__spark_hc_adj+x} ]]; then
		if [[ ${HISTCONTROL-} == "$__spark_hc_adj" ]]; then HISTCONTROL=$__spark_hc_user; fi
		builtin unset __spark_hc_adj
	fi
}

# __spark_trap_arg receives the words of "trap -p DEBUG": -- CODE DEBUG.
__spark_trap_arg() { __spark_trap_read=$2; }

# __spark_trap_get sets __spark_trap_read to the DEBUG trap's code, as "trap -p DEBUG" printed it
# into the scratch file. Inside a function bash hides the DEBUG trap, so that runs at top level.
__spark_trap_get() {
	local t=
	__spark_trap_read=
	IFS= builtin read -r -d '' t <"$__spark_f" || :
	if [[ $t == "trap -- "* ]]; then
		builtin eval "__spark_trap_arg ${t#trap }"
	fi
}

# __spark_trap_set installs the DEBUG trap: spark's hook, then the user's own trap code, which sees
# the same $?, $_ and $BASH_COMMAND as without spark.
__spark_trap_set() {
	if [[ -n $__spark_user_trap ]]; then
		__spark_trap="__spark_preexec \"\$_\"; $__spark_user_trap"
	else
		__spark_trap='__spark_preexec "$_"'
	fi
	builtin trap -- "$__spark_trap" DEBUG
}

__spark_install() {
	local nonce=${SPARK_SHELL_NONCE-}
	builtin unset SPARK_SHELL_NONCE
	if [[ -z $nonce || -z ${SPARK_SESSION-} || $- != *i* || -n ${__spark_p-} ]]; then return 0; fi
	if ((BASH_VERSINFO[0] < 4 || (BASH_VERSINFO[0] == 4 && BASH_VERSINFO[1] < 4))); then return 0; fi
	__spark_p=$'\e]6973;'"$nonce;"
	__spark_f=$SPARK_SESSION/bash-scratch
	__spark_armed=0
	__spark_started=0
	__spark_hn=-
	__spark_hc_space=0
	# PS0 is expanded after a line is read and before it runs: it arms the DEBUG hook (an
	# arithmetic side effect, no command) and marks where the command's output starts.
	__spark_ps0='${__spark_ps0_arm[__spark_armed=1]-}\e]6973;'"$nonce"';P\a'
	PS0=${PS0-}$__spark_ps0
	__spark_trap_get
	__spark_user_trap=$__spark_trap_read
	__spark_trap_set
	__spark_prompt_command
}
if [[ -n ${SPARK_SESSION-} ]]; then
	builtin trap -p DEBUG 2>/dev/null >|"$SPARK_SESSION/bash-scratch" || :
fi
__spark_install
builtin unset -f __spark_install __spark_trap_get __spark_trap_arg __spark_trap_set
