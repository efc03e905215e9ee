//! The libcurl callbacks of one transfer: head lines and body bytes go to the
//! engine's `Collector`, upload bytes come from the hop's `Upload`.

use std::io::SeekFrom;

use curl::easy::{Handler, ReadError, SeekResult, WriteError};

use crate::core::collect::Collector;
use crate::core::transfer::Upload;

/// The state libcurl's callbacks reach, owned by the lane's easy handle and
/// filled anew for every transfer.
#[derive(Default)]
pub struct Callbacks {
    pub collector: Collector,
    pub upload: Option<Upload>,
    /// The message of a failed upload read callback.
    pub read_error: Option<String>,
}

impl Handler for Callbacks {
    fn write(&mut self, data: &[u8]) -> Result<usize, WriteError> {
        // Returning fewer bytes than given makes libcurl stop with
        // CURLE_WRITE_ERROR; the collector remembers why.
        if self.collector.write(data) {
            Ok(data.len())
        } else {
            Ok(0)
        }
    }

    fn header(&mut self, data: &[u8]) -> bool {
        self.collector.header_line(data);
        true
    }

    fn read(&mut self, buf: &mut [u8]) -> Result<usize, ReadError> {
        let Some(upload) = self.upload.as_mut() else {
            return Ok(0);
        };
        upload.read(buf).map_err(|message| {
            self.read_error = Some(message);
            ReadError::Abort
        })
    }

    fn seek(&mut self, whence: SeekFrom) -> SeekResult {
        let rewound =
            whence == SeekFrom::Start(0) && self.upload.as_mut().is_some_and(Upload::rewind);
        if rewound {
            SeekResult::Ok
        } else {
            SeekResult::CantSeek
        }
    }
}
