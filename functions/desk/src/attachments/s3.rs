//! Attachments in an S3 bucket (the Lambda deployment): the widget uploads to a presigned `PUT`
//! URL and the pages read through a presigned `GET` URL, both valid for minutes; the function
//! itself moves only what it checks and cleans.

use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_s3::Client;
use aws_sdk_s3::error::ProvideErrorMetadata;
use aws_sdk_s3::presigning::PresigningConfig;
use aws_sdk_s3::primitives::ByteStream;

use super::{Blobs, ImageType};
use crate::error::{Error, Result};

/// How long a presigned upload URL works.
const UPLOAD_FOR: Duration = Duration::from_secs(10 * 60);
/// How long a presigned download URL works (the page fetches it at once).
const DOWNLOAD_FOR: Duration = Duration::from_secs(5 * 60);

/// Attachments as objects of one bucket.
#[derive(Debug, Clone)]
pub struct S3Blobs {
    client: Client,
    bucket: String,
}

impl S3Blobs {
    /// A store on `bucket` with a client configured from the environment.
    pub async fn from_env(bucket: &str) -> S3Blobs {
        let config = aws_config::load_from_env().await;
        S3Blobs::new(Client::new(&config), bucket)
    }

    /// A store on `bucket` with a given client.
    pub fn new(client: Client, bucket: &str) -> S3Blobs {
        S3Blobs {
            client,
            bucket: bucket.to_string(),
        }
    }
}

fn unavailable(error: impl std::error::Error) -> Error {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(inner) = source {
        message = format!("{message}: {inner}");
        source = inner.source();
    }
    Error::Unavailable(format!("attachments bucket: {message}"))
}

fn presigning(duration: Duration) -> Result<PresigningConfig> {
    PresigningConfig::expires_in(duration).map_err(|e| Error::Config(e.to_string()))
}

#[async_trait]
impl Blobs for S3Blobs {
    async fn put(&self, key: &str, bytes: Vec<u8>) -> Result<()> {
        self.client
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .body(ByteStream::from(bytes))
            .send()
            .await
            .map_err(unavailable)?;
        Ok(())
    }

    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>> {
        match self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
        {
            Ok(object) => Ok(Some(
                object
                    .body
                    .collect()
                    .await
                    .map_err(unavailable)?
                    .into_bytes()
                    .to_vec(),
            )),
            Err(e) if e.code() == Some("NoSuchKey") => Ok(None),
            Err(e) => Err(unavailable(e)),
        }
    }

    async fn delete(&self, key: &str) -> Result<()> {
        self.client
            .delete_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
            .map_err(unavailable)?;
        Ok(())
    }

    async fn upload_url(&self, key: &str) -> Result<Option<String>> {
        let request = self
            .client
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .presigned(presigning(UPLOAD_FOR)?)
            .await
            .map_err(unavailable)?;
        Ok(Some(request.uri().to_string()))
    }

    async fn download_url(&self, key: &str, kind: ImageType) -> Result<Option<String>> {
        let request = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            // The object is served as the image it was checked to be, never as what the bucket
            // guesses.
            .response_content_type(kind.code())
            .response_content_disposition("inline")
            .response_cache_control("private, no-store")
            .presigned(presigning(DOWNLOAD_FOR)?)
            .await
            .map_err(unavailable)?;
        Ok(Some(request.uri().to_string()))
    }
}
