//! czmq's `zclock_log`, for the examples that log as the C ones do
//! (Majordomo, Titanic, Binary Star, Clone): `zhelpers::log`.

/// Prints a line the way czmq's `zclock_log` does: `yy-mm-dd hh:mm:ss `
/// (local time) in front.
pub fn log(line: &str) {
    println!("{}{line}", timestamp());
}

fn timestamp() -> String {
    // SAFETY: time(NULL) has no preconditions; localtime_r writes only the
    // `tm` it is given, which is zeroed (valid) to start with.
    let tm = unsafe {
        let now = libc::time(std::ptr::null_mut());
        let mut tm: libc::tm = std::mem::zeroed();
        if libc::localtime_r(&now, &mut tm).is_null() {
            return String::new();
        }
        tm
    };
    format!(
        "{:02}-{:02}-{:02} {:02}:{:02}:{:02} ",
        tm.tm_year % 100,
        tm.tm_mon + 1,
        tm.tm_mday,
        tm.tm_hour,
        tm.tm_min,
        tm.tm_sec
    )
}
