fn main() {
    std::process::exit(sriov_doctor::cli::main());
}
