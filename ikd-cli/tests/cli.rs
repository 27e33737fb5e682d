//! Snapshot tests of the `ikd` command (trycmd): `tests/cmd/*.trycmd` hold each command with its
//! expected output and exit status. Regenerate with `TRYCMD=overwrite cargo test -p ikd-cli --test cli`.

#[test]
fn cli_snapshots() {
    trycmd::TestCases::new()
        // Indonesian messages by default, whatever the machine's locale.
        .env("LC_ALL", "")
        .env("LANG", "id_ID.UTF-8")
        .case("tests/cmd/*.trycmd")
        .case("tests/cmd/*.toml");
}
