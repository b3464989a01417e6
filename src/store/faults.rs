//! Named failure points inside multi-statement writes, armed only by tests, to prove that a failure
//! between any two statements leaves nothing behind.

use std::sync::{Arc, Mutex};

use super::StoreError;

#[derive(Clone, Default)]
pub struct Faults(Arc<Mutex<Option<&'static str>>>);

impl Faults {
    /// The next write that reaches `point` fails there (once). Only with the `testing` feature:
    /// a release build has no way to arm a failure.
    #[cfg(feature = "testing")]
    pub fn fail_at(&self, point: &'static str) {
        *self.0.lock().unwrap() = Some(point);
    }

    pub(crate) fn check(&self, point: &'static str) -> Result<(), StoreError> {
        let mut armed = self.0.lock().unwrap();
        if *armed == Some(point) {
            *armed = None;
            return Err(StoreError::Injected(point));
        }
        Ok(())
    }
}
