fn main() {
    std::process::exit(sriov_doctor::cmd::main());
}
