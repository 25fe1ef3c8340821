# spark shell integration for fish, run through --init-command after the user's configuration. It
# reports each command to spark with private OSC marks from fish's own events; the prompt is left
# alone and nothing forks (string and printf are builtins).
if status is-interactive; and set -q SPARK_SHELL_NONCE; and set -q SPARK_SESSION; and not set -q __spark_p
    set -g __spark_p \e']6973;'$SPARK_SHELL_NONCE';'
    set -e SPARK_SHELL_NONCE
    set -g __spark_started 0

    # __spark_esc prints $argv[1] with the characters that could end or garble a mark escaped.
    function __spark_esc
        set -l s (string replace -a -- \\ \\\\ $argv[1])
        set s (string join -- \\n $s)
        set s (string replace -a -- ';' '\x3b' $s)
        set s (string replace -a -- \r \\r $s)
        set s (string replace -a -- \t \\t $s)
        set s (string replace -a -- \e \\e $s)
        set s (string replace -a -- \a \\a $s)
        printf '%s' "$s"
    end

    # A command line starting with a space is private (fish keeps it out of history as well).
    function __spark_preexec --on-event fish_preexec
        if string match -qr '^\s' -- $argv[1]
            return 0
        end
        set -g __spark_started 1
        set -l cwd (__spark_esc $PWD)
        set -l cmd (__spark_esc $argv[1])
        printf '%sS;%s;%s\a' $__spark_p "$cwd" "$cmd" 2>/dev/null >/dev/tty
    end

    # fish reads `read -s` input with its own line editor, so the terminal's echo flag never
    # tells spark that a secret is being typed: after a command line with a silent read, the
    # values of the variables it read are reported, and spark keeps them out of the records.
    function __spark_read_secrets
        for seg in (string match -ra -- '\bread\s[^;|&]*' $argv[1])
            string match -qr -- '\s(-[a-zA-Z]*s[a-zA-Z]*|--silent)(\s|$)' "$seg "; or continue
            for v in (string split -n ' ' -- $seg)[2..]
                if string match -qr -- '^[A-Za-z_][A-Za-z0-9_]*$' $v; and set -q $v
                    for val in $$v
                        printf '%sX;%s\a' $__spark_p (__spark_esc "$val") 2>/dev/null >/dev/tty
                    end
                end
            end
        end
    end

    function __spark_postexec --on-event fish_postexec
        set -l s $status
        __spark_read_secrets $argv[1]
        if test "$__spark_started" != 1
            # fish skips fish_preexec for a line typed ahead right after Ctrl-C: record the
            # command without its output rather than not at all.
            if test -z "$argv[1]"; or string match -qr '^\s' -- $argv[1]
                return 0
            end
            set -l cwd (__spark_esc $PWD)
            set -l cmd (__spark_esc $argv[1])
            printf '%sS;%s;%s\a' $__spark_p "$cwd" "$cmd" 2>/dev/null >/dev/tty
        end
        set -g __spark_started 0
        printf '%sE;%s\a' $__spark_p $s 2>/dev/null >/dev/tty
    end

    # fish skips fish_postexec for a command cancelled with Ctrl-C; the prompt event still comes.
    function __spark_prompt --on-event fish_prompt
        set -l s $status
        if test "$__spark_started" = 1
            set -g __spark_started 0
            printf '%sE;%s\a' $__spark_p $s 2>/dev/null >/dev/tty
        end
    end
end
