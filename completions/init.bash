# Inline suggestions from spark for bash: the key sends the line and the cursor to
# `spark suggest` and replaces the line with the answer, cursor at its end; undo (C-_ or
# C-x C-u) brings the old line back. Any key typed while spark works cancels the request at
# once and is then handled as usual, so the prompt never hangs; spark also gives up by itself
# after --timeout. A line starting with # is a request in plain words. Errors show under the
# prompt. The suggestion is only ever put in the line, never run.
# The caller sets _spark_key (readline notation) and _spark_key_name.

if [[ $- == *i* ]]; then

_spark_suggest() {
  local out st
  # READLINE_POINT counts characters, as spark does.
  out=$(command spark suggest --shell bash --line "$READLINE_LINE" --point "$READLINE_POINT" --cancel-on-key 2>&1)
  st=$?
  case $st in
    0)
      out=${out%%$'\n'*}
      if [[ -n $out ]]; then
        READLINE_LINE=$out
        READLINE_POINT=${#out}
      fi ;;
    130) ;;
    *) printf '%s\n' "${out%%$'\n'*}" >&2 ;;
  esac
}

# spark fix prints the corrected command line when the errors name no file (git psuh); this
# function puts it on a line editor (read -e, bash's readline) behind the prompt, to run with
# Enter, edit, or drop with Ctrl-C; bash cannot fill the next prompt's line itself. Anything
# else goes to spark as it is.
spark() {
  if [[ ${1-} != fix || ! -t 0 || ! -t 1 ]]; then
    command spark "$@"
    return
  fi
  local f st line=
  f=$(mktemp "${TMPDIR:-/tmp}/spark-fix.XXXXXX") || { command spark "$@"; return; }
  command spark fix --line-file "$f" "${@:2}"
  st=$?
  IFS= read -r line < "$f"
  rm -f -- "$f"
  if [[ $st == 0 && -n $line ]] && IFS= read -e -r -i "$line" -p "${PS1@P}" line && [[ -n $line ]]; then
    history -s -- "$line"
    eval -- "$line"
    return
  fi
  return "$st"
}

# Bind the key where it is free (or already ours); never take it from another binding.
_spark_bind() {
  local km line cur taken=
  for km in emacs vi-insert; do
    cur=
    while IFS= read -r line; do
      if [[ $line == "\"$_spark_key\": "* ]]; then
        cur=${line#*\": }
        break
      fi
    done < <(bind -m "$km" -p 2>/dev/null; bind -m "$km" -s 2>/dev/null; bind -m "$km" -X 2>/dev/null)
    case $cur in
      ''|do-lowercase-version|*_spark_suggest*) bind -m "$km" -x "\"$_spark_key\": _spark_suggest" ;;
      *) taken+="${taken:+, }$cur ($km)" ;;
    esac
  done
  [[ -z $taken ]] || printf 'spark: %s is already bound to %s; suggestions are not bound there (choose another key with SPARK_SUGGEST_KEY)\n' "$_spark_key_name" "$taken" >&2
}
_spark_bind
unset -f _spark_bind

fi
