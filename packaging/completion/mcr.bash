# bash completion for mcr and mcrd (installed as
# /usr/share/bash-completion/completions/mcr, with mcrd a link to it). It completes
# commands, options, the values of options that take a fixed set (--format,
# --log-format), rules files for check and --config, and interface names for
# --interface. It needs bash alone, not the bash-completion package's helpers.

# The word being completed and the one before it, as `--opt=value` splits them:
# bash breaks words at "=", so "--format=js" arrives as "--format" "=" "js".
_mcr_words() {
  cur=${COMP_WORDS[COMP_CWORD]}
  prev=${COMP_WORDS[COMP_CWORD - 1]:-}
  if [[ $cur == = ]]; then
    cur=
    prev=${COMP_WORDS[COMP_CWORD - 1]:-}
  fi
  if [[ $prev == = ]]; then
    prev=${COMP_WORDS[COMP_CWORD - 2]:-}
  fi
}

# Rules files: *.toml and directories to look into.
_mcr_rules_files() {
  compopt -o filenames 2>/dev/null
  COMPREPLY=($(compgen -d -- "$cur") $(compgen -f -X '!*.toml' -- "$cur"))
}

_mcr_any_file() {
  compopt -o filenames 2>/dev/null
  COMPREPLY=($(compgen -f -- "$cur"))
}

_mcr_interfaces() {
  local names
  names=$(ls /sys/class/net 2>/dev/null)
  COMPREPLY=($(compgen -W "$names" -- "$cur"))
}

# Options of `mcr gen` and `mcr sink` (the traffic tools); all but --help take a value.
_mcr_gen_options='--group --port --interface --count --rate --size --streams --first-stream --ttl --duration-limit --help'
_mcr_sink_options='--group --streams --port --interface --source --expect --expect-per-stream --first-stream --idle-timeout --duration-limit --rcvbuf --max-streams --max-seq --help'

_mcr() {
  local cur prev
  _mcr_words
  COMPREPLY=()
  local commands='check stats demo gen sink help version'
  if ((COMP_CWORD == 1)); then
    [[ $cur == -* ]] && commands='--help --version'
    COMPREPLY=($(compgen -W "$commands" -- "$cur"))
    return 0
  fi
  local command=${COMP_WORDS[1]}
  case $command in
    check)
      case $prev in
        --format) COMPREPLY=($(compgen -W 'text json' -- "$cur")); return 0 ;;
      esac
      if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W '--diff --format --help' -- "$cur"))
      else
        _mcr_rules_files
      fi
      ;;
    stats)
      case $prev in
        -f | --file) _mcr_any_file; return 0 ;;
        -i | --interval | -n | --count) return 0 ;;
      esac
      [[ $cur == -* ]] && COMPREPLY=($(compgen -W '--file --json --watch --interval --count --help' -- "$cur"))
      ;;
    demo)
      case $prev in
        --seconds | --rate) return 0 ;;
      esac
      [[ $cur == -* ]] && COMPREPLY=($(compgen -W '--seconds --rate' -- "$cur"))
      ;;
    gen | sink)
      local options=$_mcr_gen_options
      [[ $command == sink ]] && options=$_mcr_sink_options
      case $prev in
        --interface) _mcr_interfaces; return 0 ;;
        --help) ;;
        --*) [[ " $options " == *" $prev "* ]] && return 0 ;; # a value: nothing to offer
      esac
      [[ $cur == -* ]] && COMPREPLY=($(compgen -W "$options" -- "$cur"))
      ;;
  esac
  return 0
}

_mcrd() {
  local cur prev
  _mcr_words
  COMPREPLY=()
  case $prev in
    -c | --config) _mcr_rules_files; return 0 ;;
    --log-format) COMPREPLY=($(compgen -W 'auto text json journal' -- "$cur")); return 0 ;;
  esac
  [[ $cur == -* ]] && COMPREPLY=($(compgen -W '--config --log-format --allow-insecure-rules-file --version --help' -- "$cur"))
  return 0
}

complete -F _mcr mcr
complete -F _mcrd mcrd
