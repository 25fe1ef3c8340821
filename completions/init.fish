# Inline suggestions from spark for fish: the key sends the line and the cursor to
# `spark suggest` and replaces the line with the answer (undo brings the old line back). fish
# runs key bindings one at a time, so instead of running in the background spark watches the
# terminal: any key typed while it works cancels the request at once and is then handled as
# usual, so the prompt never hangs. A line starting with # is a request in plain words. Errors
# show under the prompt. The suggestion is only ever put in the line, never run.
# The caller sets __spark_key (bind notation) and __spark_key_name.

if status is-interactive

function __spark_suggest --description 'replace the command line with a suggestion from spark'
    set -l line (commandline | string collect)
    set -l point (commandline -C)
    set -l out (command spark suggest --shell fish --line "$line" --point $point --cancel-on-key 2>&1 | string collect)
    set -l st $pipestatus[1]
    switch $st
        case 0
            set out (string split -m1 \n -- $out)[1]
            if test -n "$out"
                commandline -r -- $out
                commandline -C (string length -- $out)
            end
        case 130
        case '*'
            echo
            printf '%s\n' (string split -m1 \n -- $out)[1] >&2
            commandline -f repaint
    end
end

# spark fix prints the corrected command line when the errors name no file (git psuh); this
# function puts it on fish's line editor (read -c) behind the prompt, to run with Enter, edit,
# or drop with Ctrl-C. Anything else goes to spark as it is.
function spark --description 'spark; a corrected command line from spark fix goes on the command line'
    if test "$argv[1]" != fix; or not isatty stdin; or not isatty stdout
        command spark $argv
        return
    end
    set -l f (mktemp 2>/dev/null)
    or begin
        command spark $argv
        return
    end
    command spark fix --line-file $f $argv[2..-1]
    set -l st $status
    read -l line <$f
    rm -f -- $f
    if test $st -eq 0; and test -n "$line"
        if read -l -p fish_prompt -c "$line" cmd; and test -n "$cmd"
            eval $cmd
            return
        end
    end
    return $st
end

# Bind the key where it is free (or already ours); never take it from another binding. This
# waits for the first prompt: fish loads its own default bindings only then.
set -ga __spark_pending_keys $__spark_key
set -ga __spark_pending_names $__spark_key_name
function __spark_bind --on-event fish_prompt
    functions -e __spark_bind
    for i in (seq (count $__spark_pending_keys))
        set -l key $__spark_pending_keys[$i]
        set -l taken
        for mode in default insert
            set -l cur (bind -M $mode $key 2>/dev/null)
            if test -z "$cur"; or string match -q '*__spark_suggest*' -- $cur
                bind -M $mode $key __spark_suggest
            else
                set -a taken (string replace -r '^bind (--preset )?(-M \S+ )?\S+ ' '' -- $cur[1])" ($mode)"
            end
        end
        if set -q taken[1]
            printf 'spark: %s is already bound to %s; suggestions are not bound there (choose another key with SPARK_SUGGEST_KEY)\n' $__spark_pending_names[$i] (string join ', ' $taken) >&2
        end
    end
    set -e __spark_pending_keys
    set -e __spark_pending_names
end

end
