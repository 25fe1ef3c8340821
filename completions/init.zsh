# Inline suggestions from spark for zsh, asynchronous: the key sends the line and the cursor to
# `spark suggest` in the background and the prompt stays live. The answer appears as ghost text
# after the line; the key again, → (forward-char at the end of the line) or End (end-of-line)
# accepts it, typing on dismisses it and cancels a request still running. A line starting with #
# is a request in plain words, and its answer replaces the line (undo brings the line back).
# Errors show under the prompt. The suggestion is only ever put in the line, never run.
#
# Needs zsh 5.3 or later (zle -F, the line-pre-redraw hook). Coexists with zsh-autosuggestions:
# both draw in POSTDISPLAY, each clears only its own text. SPARK_SUGGEST_STYLE sets the ghost
# text's highlight (default fg=8). The caller sets _spark_key and _spark_key_name.

if [[ -o interactive ]]; then
  # spark fix prints the corrected command line when the errors name no file (git psuh); this
  # function puts it on the next prompt's line (print -z), to run with Enter. Anything else goes
  # to spark as it is.
  spark() {
    if [[ ${1-} != fix || ! -t 0 || ! -t 1 ]]; then
      command spark "$@"
      return
    fi
    local f st line=
    f=$(mktemp "${TMPDIR:-/tmp}/spark-fix.XXXXXX") || { command spark "$@"; return }
    command spark fix --line-file "$f" "${@[2,-1]}"
    st=$?
    IFS= read -r line < "$f"
    command rm -f -- "$f"
    [[ $st == 0 && -n $line ]] && print -rz -- "$line"
    return $st
  }

  # compinit may run later in the rc file: then the completion is registered at the first prompt.
  if (( ! ${+functions[compdef]} )); then
    _spark_compdef() {
      add-zsh-hook -d precmd _spark_compdef
      unfunction _spark_compdef
      (( ${+functions[compdef]} )) && compdef _spark spark
    }
    autoload -Uz add-zsh-hook && add-zsh-hook precmd _spark_compdef
  fi

  if ! autoload -Uz is-at-least add-zle-hook-widget 2>/dev/null || ! is-at-least 5.3; then
    print -ru2 -- "spark: inline suggestions need zsh 5.3 or later; completions are set up"
  else

typeset -g _spark_fd= _spark_line= _spark_sugg= _spark_shown= _spark_hl= _spark_cur= _spark_msg=
if [[ ${(L)${LC_ALL:-${LC_CTYPE:-${LANG-}}}} == *utf*8* ]]; then
  typeset -g _spark_wait=' …' _spark_arrow='→'
else
  typeset -g _spark_wait=' ...' _spark_arrow='->'
fi

# _spark_clear removes the ghost text and its highlight, where they are still ours.
_spark_clear() {
  if [[ -n $_spark_shown && $POSTDISPLAY == "$_spark_shown" ]]; then
    POSTDISPLAY=
  fi
  if [[ -n $_spark_hl ]]; then
    region_highlight=("${(@)region_highlight:#$_spark_hl}")
  fi
  _spark_shown= _spark_hl= _spark_sugg=
}

# _spark_cancel drops the request in flight: closing our end of its output makes spark stop.
_spark_cancel() {
  [[ -n $_spark_fd ]] || return 0
  zle -F $_spark_fd 2>/dev/null
  exec {_spark_fd}<&-
  _spark_fd=
}

# _spark_ghost shows $1 after the line, dimmed.
_spark_ghost() {
  _spark_shown=$1
  POSTDISPLAY=$1
  _spark_hl="$#BUFFER $(( $#BUFFER + $#POSTDISPLAY )) ${SPARK_SUGGEST_STYLE:-fg=8}"
  region_highlight+=("$_spark_hl")
}

_spark_accept() {
  local s=$_spark_sugg
  _spark_clear
  _spark_line=
  BUFFER=$s
  CURSOR=$#BUFFER
}

# spark-suggest is the widget on the key: it starts a request, or accepts the suggestion shown.
spark-suggest() {
  emulate -L zsh
  if [[ -n $_spark_sugg && $BUFFER == "$_spark_line" ]]; then
    _spark_accept
    return
  fi
  _spark_cancel
  _spark_clear
  _spark_line=$BUFFER
  exec {_spark_fd}< <(command spark suggest --shell zsh --line "$BUFFER" --point $CURSOR </dev/null 2>&1; print -rn -- $'\0'$?)
  zle -F $_spark_fd _spark_ready
  _spark_ghost $_spark_wait
}

# _spark_ready reads spark's answer (output, NUL, exit status) when it is complete.
_spark_ready() {
  emulate -L zsh
  local fd=$1 out st
  if [[ $fd != $_spark_fd ]]; then
    zle -F $fd 2>/dev/null
    exec {fd}<&-
    return
  fi
  IFS= read -r -d '' -u $fd out
  IFS= read -r -u $fd st
  _spark_cancel
  zle _spark-show -- "${st:-130}" "$out"
}

_spark-show() {
  emulate -L zsh
  local st=$1 out=${2%$'\n'}
  _spark_clear
  [[ $BUFFER == "$_spark_line" ]] || return 0
  case $st in
    (0)
      if [[ ${_spark_line//[[:space:]]/} == '#'* ]]; then
        BUFFER=$out
        CURSOR=$#BUFFER
        _spark_line=
      elif [[ $out == "$BUFFER" ]]; then
        zle -M "spark: no better line"
      else
        if [[ $out == "$BUFFER"* ]]; then
          _spark_ghost "${out#"$BUFFER"}"
        else
          _spark_ghost "  $_spark_arrow $out"
        fi
        _spark_sugg=$out
        _spark_cur=$CURSOR
      fi ;;
    (130) ;;
    (*)
      zle -M -- "${${out%%$'\n'*}:-spark: suggestion failed}"
      _spark_msg=$BUFFER ;;
  esac
  zle -R
}

# _spark_pre_redraw runs before every redraw, after whatever widget ran: it dismisses the ghost
# text when the line changed, and accepts it after forward-char at the end of the line or
# end-of-line. Watching the line, not wrapping widgets, keeps out of other plugins' way.
_spark_pre_redraw() {
  [[ -n $_spark_fd$_spark_shown$_spark_msg ]] || return 0
  emulate -L zsh
  if [[ -n $_spark_msg && $BUFFER != "$_spark_msg" ]]; then
    zle -M ''
    _spark_msg=
  fi
  if [[ $BUFFER != "$_spark_line" ]]; then
    if [[ -n $_spark_shown && $BUFFER == "$_spark_line$_spark_shown" ]]; then
      # Another widget (zsh-autosuggestions' accept) took our ghost text into the line.
      if [[ -n $_spark_sugg ]]; then
        _spark_accept
        return
      fi
      BUFFER=$_spark_line
    fi
    _spark_cancel
    _spark_clear
    _spark_line=
    return
  fi
  # LASTWIDGET is the widget of the last key, or _spark-show when the answer has just been drawn.
  if [[ -n $_spark_sugg ]]; then
    case $LASTWIDGET in
      (end-of-line|vi-end-of-line|vi-add-eol|end-of-buffer-or-history) _spark_accept; return ;;
      (forward-char|vi-forward-char)
        if (( _spark_cur == $#BUFFER && CURSOR == $#BUFFER )); then
          _spark_accept
          return
        fi ;;
    esac
  fi
  _spark_cur=$CURSOR
}

# _spark_finish clears everything when the line is done (accepted or aborted).
_spark_finish() {
  [[ -n $_spark_fd$_spark_shown$_spark_msg ]] || return 0
  emulate -L zsh
  _spark_cancel
  _spark_clear
  _spark_line= _spark_msg=
}

zle -N spark-suggest
zle -N _spark-show
zle -N _spark_pre_redraw
zle -N _spark_finish
add-zle-hook-widget line-pre-redraw _spark_pre_redraw
add-zle-hook-widget line-finish _spark_finish

# Bind the key where it is free (or already ours); never take it from another widget.
() {
  emulate -L zsh
  local km cur taken=()
  for km in emacs viins; do
    cur=$(bindkey -M $km -- "$_spark_key")
    cur=${cur##* }
    case $cur in
      (undefined-key|spark-suggest) bindkey -M $km -- "$_spark_key" spark-suggest ;;
      (*) taken+=("$cur ($km)") ;;
    esac
  done
  if (( $#taken )); then
    print -ru2 -- "spark: $_spark_key_name is already bound to ${(j:, :)taken}; suggestions are not bound there (choose another key with SPARK_SUGGEST_KEY)"
  fi
}

  fi
fi
