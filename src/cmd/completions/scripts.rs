//! The scripts the shells load. Fish's is clap_complete's own. Bash's is
//! ours: clap_complete's hands bash's words to the engine as bash split
//! them, and bash splits at every COMP_WORDBREAKS character, so
//! `0000:03:10.0` arrives as five words and an address never completes
//! (clap-rs/clap#6280, open in 4.6.11). Zsh's is clap_complete's with the
//! ending a `#compdef` file needs to answer the first Tab too.
//! The answering side (`write_complete`) is clap_complete's for all three.

use std::ffi::OsString;
use std::path::Path;

use clap_complete::env::EnvCompleter;

use super::{command, Shell, BIN, VAR};
use crate::error::Error;

/// The script that `completions SHELL` prints.
pub fn registration(shell: Shell) -> Result<String, Error> {
    let name = command(&Default::default()).get_name().to_string();
    let mut buf = Vec::new();
    let written = match shell {
        Shell::Bash => Bash.write_registration(VAR, &name, BIN, BIN, &mut buf),
        Shell::Zsh => Zsh.write_registration(VAR, &name, BIN, BIN, &mut buf),
        Shell::Fish => clap_complete::env::Fish.write_registration(VAR, &name, BIN, BIN, &mut buf),
    };
    written.map_err(|e| Error::Internal(format!("completion script: {e}")))?;
    String::from_utf8(buf).map_err(|e| Error::Internal(format!("completion script: {e}")))
}

/// The bash function. It rebuilds the words of the line up to the cursor
/// as the tool sees them (pieces bash split at a COMP_WORDBREAKS
/// character, with no blank between, are one word again), asks the tool,
/// and gives bash each candidate less the part of the word before its last
/// break character, which bash keeps (what bash-completion's
/// __ltrim_colon_completions does, without needing it loaded).
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
    reply=$(_CLAP_IFS=$'\013' _CLAP_COMPLETE_INDEX=$((${#words[@]} - 1)) \
        VAR=bash COMPLETER -- "${words[@]}" 2>/dev/null) || return 0
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

/// Bash, with [`BASH`] as its script.
pub struct Bash;

impl EnvCompleter for Bash {
    fn name(&self) -> &'static str {
        "bash"
    }
    fn is(&self, name: &str) -> bool {
        name == "bash"
    }
    fn write_registration(
        &self,
        var: &str,
        _name: &str,
        bin: &str,
        completer: &str,
        buf: &mut dyn std::io::Write,
    ) -> Result<(), std::io::Error> {
        let script = BASH
            .replace("VAR", var)
            .replace("COMPLETER", completer)
            .replace("BIN", bin);
        buf.write_all(script.as_bytes())
    }
    fn write_complete(
        &self,
        cmd: &mut clap::Command,
        args: Vec<OsString>,
        current_dir: Option<&Path>,
        buf: &mut dyn std::io::Write,
    ) -> Result<(), std::io::Error> {
        clap_complete::env::Bash.write_complete(cmd, args, current_dir, buf)
    }
}

/// Zsh: clap_complete's script, whose last line only registers its
/// function; installed as `_sriov-doctor` on `$fpath`, zsh runs the file
/// at the first Tab, which would then complete nothing. So when the file
/// runs as `_sriov-doctor` it also answers.
pub struct Zsh;

impl EnvCompleter for Zsh {
    fn name(&self) -> &'static str {
        "zsh"
    }
    fn is(&self, name: &str) -> bool {
        name == "zsh"
    }
    fn write_registration(
        &self,
        var: &str,
        name: &str,
        bin: &str,
        completer: &str,
        buf: &mut dyn std::io::Write,
    ) -> Result<(), std::io::Error> {
        let mut theirs = Vec::new();
        clap_complete::env::Zsh.write_registration(var, name, bin, completer, &mut theirs)?;
        let theirs = String::from_utf8_lossy(&theirs);
        let function = format!("_clap_dynamic_completer_{}", name.replace('-', "_"));
        let register = format!("compdef {function} {bin}");
        let Some(head) = theirs.trim_end().strip_suffix(&register) else {
            return Err(std::io::Error::other(format!(
                "clap_complete's zsh script does not end in `{register}`"
            )));
        };
        write!(
            buf,
            "{head}if [ \"$funcstack[1]\" = \"_{bin}\" ]; then\n    {function} \"$@\"\nelse\n    {register}\nfi\n"
        )
    }
    fn write_complete(
        &self,
        cmd: &mut clap::Command,
        args: Vec<OsString>,
        current_dir: Option<&Path>,
        buf: &mut dyn std::io::Write,
    ) -> Result<(), std::io::Error> {
        clap_complete::env::Zsh.write_complete(cmd, args, current_dir, buf)
    }
}
