//! Writes every test vector to `test-vectors/cases/` (replacing what is there).
use std::process::ExitCode;

fn main() -> ExitCode {
    let cases = match test_vectors::generate() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let dir = test_vectors::cases_dir();
    if let Ok(entries) = std::fs::read_dir(&dir) {
        for e in entries.flatten() {
            let _ = std::fs::remove_file(e.path());
        }
    }
    if let Err(e) = test_vectors::write_cases(&dir, &cases) {
        eprintln!("error: writing {}: {e}", dir.display());
        return ExitCode::from(2);
    }
    println!("wrote {} cases to {}", cases.len(), dir.display());
    ExitCode::SUCCESS
}
