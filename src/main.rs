fn main() {
    // A shell asking for completions (SRIOV_DOCTOR_COMPLETE set) is
    // answered before anything else is parsed or printed.
    if let Some(code) = sriov_doctor::cmd::complete_from_env() {
        std::process::exit(code);
    }
    std::process::exit(sriov_doctor::cmd::main());
}
