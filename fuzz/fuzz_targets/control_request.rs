//! A control-socket client's bytes (`liftoff_contract::control`): the frame length, then the
//! request, as the supervisor reads them from any root caller.
//!
//! Besides "no panic": a frame is refused from its length alone when oversized; what decodes
//! encodes to a frame that decodes to the same request.
#![no_main]

use libfuzzer_sys::fuzz_target;
use liftoff_contract::control::{decode, encode, frame_len, Request, MAX_FRAME};

fuzz_target!(|data: &[u8]| {
    let Ok(Some(n)) = frame_len(data) else {
        return;
    };
    assert!(n <= MAX_FRAME + 4);
    let Some(frame) = data.get(..n) else {
        return;
    };
    let Ok(r) = decode::<Request>(frame) else {
        return;
    };
    let again = encode(&r).expect("a decoded request encodes");
    assert_eq!(decode::<Request>(&again).expect("and decodes"), r);
});
