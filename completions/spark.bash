# bash completion for spark. Load it with `source <(spark completion bash)` in ~/.bashrc, or
# save it as spark in a bash-completion directory (`spark init bash` loads it too).

_spark() {
  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
  local cmd= i
  for ((i = 1; i < COMP_CWORD; i++)); do
    case ${COMP_WORDS[i]} in
      --) break ;;
      -*) ;;
      *) case ${COMP_WORDS[i-1]} in
           --model|-m|--base-url|--format|--stdin-name|--attempts|--line-file|-c|-n|--line|--point|--shell|--timeout)
             [[ $i -gt 1 ]] && continue ;;
         esac
         cmd=${COMP_WORDS[i]}
         break ;;
    esac
  done

  # A flag's value.
  case $prev in
    --format)
      COMPREPLY=($(compgen -W 'auto v4a search-replace whole unified' -- "$cur"))
      return ;;
    --shell)
      COMPREPLY=($(compgen -W 'bash zsh fish' -- "$cur"))
      return ;;
    --model|-m|--base-url|--stdin-name|--attempts|--line|--point|--timeout)
      COMPREPLY=()
      return ;;
    --line-file)
      COMPREPLY=($(compgen -f -- "$cur"))
      return ;;
    -c|-n)
      [[ $cmd == shell || $cmd == history ]] && { COMPREPLY=(); return; } ;;
  esac
  if [[ $cur == --format=* ]]; then
    COMPREPLY=($(compgen -P --format= -W 'auto v4a search-replace whole unified' -- "${cur#--format=}"))
    return
  fi

  local flags= words=
  case $cmd in
    '') flags='--help -h --version -v'
        words='edit fix again undo shell history suggest init completion help' ;;
    edit) flags='--model -m --base-url --format --dry-run -n --show-prompt --no-steer --stdin-name --help -h' ;;
    fix) flags='--model -m --base-url --format --dry-run -n --show-prompt --no-steer --attempts --line-file --help -h' ;;
    again) flags='--dry-run -n --show-prompt --no-steer --help -h' ;;
    undo) flags='--list -l --help -h' ;;
    shell) flags='-c --login -l --help -h' ;;
    history) flags='--json -n --help -h' ;;
    suggest) flags='--line --point --shell --timeout --cancel-on-key --model -m --base-url --show-prompt --help -h' ;;
    init|completion) flags='--help -h'
        words='bash zsh fish' ;;
    help|h) words='edit fix again undo shell history suggest init completion' ;;
  esac
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$flags" -- "$cur"))
  elif [[ $cmd == edit ]]; then
    compopt -o filenames 2>/dev/null
    local IFS=$'\n'
    COMPREPLY=($(compgen -f -- "$cur"))
  elif [[ $cmd == fix ]]; then
    COMPREPLY=($(compgen -c -- "$cur"))
  else
    COMPREPLY=($(compgen -W "$words" -- "$cur"))
  fi
}

complete -F _spark spark
