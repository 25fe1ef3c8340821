# fish completion for spark. Save it as ~/.config/fish/completions/spark.fish, or load it with
# `spark completion fish | source` (`spark init fish` loads it too).

complete -c spark -e
complete -c spark -f

set -l __spark_cmds edit fix again undo shell history suggest init completion help h
complete -c spark -n "not __fish_seen_subcommand_from $__spark_cmds" -s h -l help -d 'show help'
complete -c spark -n "not __fish_seen_subcommand_from $__spark_cmds" -s v -l version -d 'print the version'
complete -c spark -n "not __fish_seen_subcommand_from $__spark_cmds" -a edit -d 'stream a minimal edit, applied atomically'
complete -c spark -n "not __fish_seen_subcommand_from $__spark_cmds" -a fix -d 'fix what a failed command reports'
complete -c spark -n "not __fish_seen_subcommand_from $__spark_cmds" -a again -d 'take the last edit back and ask again'
complete -c spark -n "not __fish_seen_subcommand_from $__spark_cmds" -a undo -d 'restore the files of the last edit or fix'
complete -c spark -n "not __fish_seen_subcommand_from $__spark_cmds" -a shell -d 'run $SHELL in a recording pty'
complete -c spark -n "not __fish_seen_subcommand_from $__spark_cmds" -a history -d 'show what this session recorded'
complete -c spark -n "not __fish_seen_subcommand_from $__spark_cmds" -a suggest -d 'suggest a command line'
complete -c spark -n "not __fish_seen_subcommand_from $__spark_cmds" -a init -d 'print the shell integration'
complete -c spark -n "not __fish_seen_subcommand_from $__spark_cmds" -a completion -d 'print the completion script'
complete -c spark -n "not __fish_seen_subcommand_from $__spark_cmds" -a help -d 'show help'

# edit and fix
complete -c spark -n "__fish_seen_subcommand_from edit fix" -s m -l model -x -d 'model name (env SPARK_MODEL)'
complete -c spark -n "__fish_seen_subcommand_from edit fix" -l base-url -x -d 'OpenAI-compatible server URL'
complete -c spark -n "__fish_seen_subcommand_from edit fix" -l format -x -a 'auto v4a search-replace whole unified' -d 'edit format'
complete -c spark -n "__fish_seen_subcommand_from edit fix" -s n -l dry-run -d 'show the diff, write nothing'
complete -c spark -n "__fish_seen_subcommand_from edit fix" -l show-prompt -d 'print what would be sent, send nothing'
complete -c spark -n "__fish_seen_subcommand_from edit fix" -l no-steer -d 'Ctrl-C always aborts'
complete -c spark -n "__fish_seen_subcommand_from edit" -l stdin-name -x -d 'with -, the file name shown to the model'
complete -c spark -n "__fish_seen_subcommand_from edit" -F
complete -c spark -n "__fish_seen_subcommand_from fix" -l attempts -x -d 'with -- COMMAND, the most fixes to try'
complete -c spark -n "__fish_seen_subcommand_from fix" -l line-file -r -F -d 'also write a corrected command line to FILE'

# again
complete -c spark -n "__fish_seen_subcommand_from again" -s n -l dry-run -d 'show the new diff, write nothing'
complete -c spark -n "__fish_seen_subcommand_from again" -l show-prompt -d 'print what would be sent, send nothing'
complete -c spark -n "__fish_seen_subcommand_from again" -l no-steer -d 'Ctrl-C always aborts'

# undo
complete -c spark -n "__fish_seen_subcommand_from undo" -s l -l list -d 'show the undo stack, newest first'

# shell and history
complete -c spark -n "__fish_seen_subcommand_from shell" -s c -x -d 'run COMMAND and exit with its status'
complete -c spark -n "__fish_seen_subcommand_from shell" -s l -l login -d 'start a login shell'
complete -c spark -n "__fish_seen_subcommand_from history" -l json -d 'print a JSON array of records'
complete -c spark -n "__fish_seen_subcommand_from history" -s n -x -d 'show the last N records (0 for all)'

# suggest
complete -c spark -n "__fish_seen_subcommand_from suggest" -l line -x -d 'the command line as typed so far'
complete -c spark -n "__fish_seen_subcommand_from suggest" -l point -x -d 'cursor position in characters'
complete -c spark -n "__fish_seen_subcommand_from suggest" -l shell -x -a 'bash zsh fish' -d 'the shell the line is for'
complete -c spark -n "__fish_seen_subcommand_from suggest" -l timeout -x -d 'give up after this long'
complete -c spark -n "__fish_seen_subcommand_from suggest" -l cancel-on-key -d 'stop when a key arrives on the terminal'
complete -c spark -n "__fish_seen_subcommand_from suggest" -s m -l model -x -d 'model name (env SPARK_SUGGEST_MODEL)'
complete -c spark -n "__fish_seen_subcommand_from suggest" -l base-url -x -d 'OpenAI-compatible server URL'
complete -c spark -n "__fish_seen_subcommand_from suggest" -l show-prompt -d 'print what would be sent, send nothing'

# init and completion take a shell; help takes a command
complete -c spark -n "__fish_seen_subcommand_from init completion" -x -a 'bash zsh fish'
complete -c spark -n "__fish_seen_subcommand_from help h" -x -a 'edit fix again undo shell history suggest init completion'
complete -c spark -n "__fish_seen_subcommand_from edit fix again undo shell history suggest init completion" -s h -l help -d 'show help'
