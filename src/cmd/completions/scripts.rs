//! The scripts the shells load, and the answer each expects. A script
//! passes the words of the line up to the cursor after `--`; the answer is
//! one candidate per entry: bash's separated by vertical tabs, zsh's
//! `VALUE:HELP` lines (colons in the value escaped, for `_describe`),
//! fish's `VALUE<TAB>HELP` lines.

use super::candidates::Candidate;
use super::{Shell, BIN, VAR};
use crate::error::Error;

/// Bash splits a word at each COMP_WORDBREAKS character, so to it
/// `0000:03:10.0` is five words. The function rebuilds the words of the
/// line up to the cursor as the tool sees them (pieces with no blank
/// between are one word again), asks the tool, and gives bash each
/// candidate less the part of the word up to its last break character,
/// which bash keeps (what bash-completion's __ltrim_colon_completions
/// does, without needing it loaded).
const BASH: &str = r#"# sriov-doctor completion for bash: at each Tab the tool itself is asked.
_sriov_doctor() {
    local line=${COMP_LINE:0:COMP_POINT} pos=0 start i w
    local -a words=()
    for ((i = 0; i <= COMP_CWORD; i++)); do
        w=${COMP_WORDS[i]}
        start=$pos
        while [[ $pos -lt ${#line} && ${line:pos:1} == [[:space:]] ]]; do
            pos=$((pos + 1))
        done
        if ((i == COMP_CWORD)); then
            w=${line:pos}
        fi
        if ((i > 0 && pos == start)); then
            words[${#words[@]} - 1]+=$w
        else
            words+=("$w")
        fi
        pos=$((pos + ${#w}))
    done
    local cur=${words[${#words[@]} - 1]} keep= k
    for ((k = ${#cur} - 1; k >= 0; k--)); do
        if [[ $COMP_WORDBREAKS == *"${cur:k:1}"* ]]; then
            keep=${cur:0:k + 1}
            break
        fi
    done
    local reply c
    reply=$(VAR=bash BIN -- "${words[@]}" 2>/dev/null) || return 0
    local -a candidates=()
    mapfile -t -d $'\013' candidates < <(printf '%s' "$reply")
    COMPREPLY=()
    for c in "${candidates[@]}"; do
        [[ $c == "$keep"* ]] && COMPREPLY+=("${c#"$keep"}")
    done
    if [[ ${#COMPREPLY[@]} -eq 1 && ${COMPREPLY[0]} == *[/=] ]]; then
        compopt -o nospace 2>/dev/null
    fi
    return 0
}
complete -o bashdefault -o default -o nosort -F _sriov_doctor BIN 2>/dev/null ||
    complete -o bashdefault -o default -F _sriov_doctor BIN
"#;

/// Installed as `_sriov-doctor` on `$fpath`, zsh runs the file itself at
/// the first Tab: it then defines the function and answers at once.
const ZSH: &str = r#"#compdef BIN
# sriov-doctor completion for zsh: at each Tab the tool itself is asked.
_BIN() {
    local -a candidates dirs other
    local c
    candidates=("${(@f)$(VAR=zsh BIN -- "${(@)words[1,CURRENT]}" 2>/dev/null)}")
    for c in $candidates; do
        if [[ $c == */ ]]; then
            dirs+=("$c")
        else
            other+=("$c")
        fi
    done
    (( $#dirs )) && compadd -S '' -- "${(@)dirs}"
    (( $#other )) && _describe -V values other
}
if [ "$funcstack[1]" = "_BIN" ]; then
    _BIN "$@"
else
    compdef _BIN BIN
fi
"#;

const FISH: &str = r#"# sriov-doctor completion for fish: at each Tab the tool itself is asked.
complete --command BIN --no-files --keep-order --arguments '(VAR=fish BIN -- (commandline --current-process --tokenize --cut-at-cursor) (commandline --current-token))'
"#;

/// The script that `completions SHELL` prints.
pub fn registration(shell: Shell) -> Result<String, Error> {
    let text = match shell {
        Shell::Bash => BASH,
        Shell::Zsh => ZSH,
        Shell::Fish => FISH,
    };
    Ok(text.replace("VAR", VAR).replace("BIN", BIN))
}

/// The candidates as `shell`'s script reads them. Control characters in a
/// value or help (from a file name) are dropped: none can end an entry
/// early or reach the terminal.
pub fn answer(shell: Shell, found: &[Candidate]) -> String {
    let clean = |s: &str| s.chars().filter(|c| !c.is_control()).collect::<String>();
    let entries: Vec<String> = found
        .iter()
        .map(|c| {
            let value = clean(&c.value);
            let help = c.help.as_deref().map(clean);
            match (shell, help) {
                (Shell::Bash, _) => value,
                (Shell::Zsh, _) if value.ends_with('/') => value,
                (Shell::Zsh, Some(h)) => {
                    format!("{}:{h}", value.replace('\\', "\\\\").replace(':', "\\:"))
                }
                (Shell::Zsh, None) => value.replace('\\', "\\\\").replace(':', "\\:"),
                (Shell::Fish, Some(h)) => format!("{value}\t{h}"),
                (Shell::Fish, None) => value,
            }
        })
        .collect();
    match shell {
        Shell::Bash => entries.join("\u{b}"),
        Shell::Zsh | Shell::Fish => entries.iter().map(|e| format!("{e}\n")).collect(),
    }
}
