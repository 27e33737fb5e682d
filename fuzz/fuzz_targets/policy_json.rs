//! Service policy files (`policies_file` of the server, `docs/FORMAT.md` §6.1) and
//! disclosure lists (`ikd present --disclose`).
#![no_main]

use ikd_core::{Disclosure, Policy};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(list) = Policy::list_from_json(text) {
        for p in &list {
            assert_eq!(Disclosure::from_names(&p.required.names()).ok(), Some(p.required));
        }
    }
    if let Ok(d) = Disclosure::parse_list(text) {
        assert_eq!(Disclosure::from_names(&d.names()).ok(), Some(d));
        let _ = d.complement_names();
    }
});
