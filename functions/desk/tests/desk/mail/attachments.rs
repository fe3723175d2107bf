//! A mail's attachments: images kept through the screenshot cleaning, anything else named to the
//! operator and to the customer (never silently gone), nothing beyond the limit read.

use std::sync::Arc;

use base64::Engine;
use desk::attachments::DirBlobs;
use desk::desk::Received;
use desk::model::{NotKeptWhy, Priority, Verdict};

use super::{Recorded, TestDesk, desk, mail, simple, stored_message};

/// A real 2×2 PNG.
fn png() -> Vec<u8> {
    let mut bytes = Vec::new();
    image::write_buffer_with_format(
        &mut std::io::Cursor::new(&mut bytes),
        &[200u8; 2 * 2 * 3],
        2,
        2,
        image::ExtendedColorType::Rgb8,
        image::ImageFormat::Png,
    )
    .expect("encode");
    bytes
}

/// A mail from `from` with `text` and each `(name, content type, bytes)` attached.
fn with_files(from: &str, text: &str, files: &[(&str, &str, Vec<u8>)]) -> Vec<u8> {
    let head = String::from_utf8(simple(from, "첨부 문의", "", "")).expect("utf-8");
    let head = head
        .split("Content-Type: text/plain")
        .next()
        .expect("headers")
        .to_string();
    let mut raw = format!(
        "{head}Content-Type: multipart/mixed; boundary=sep\r\n\r\n--sep\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{text}\r\n"
    );
    for (name, content_type, bytes) in files {
        let encoded = base64::engine::general_purpose::STANDARD.encode(bytes);
        raw.push_str(&format!(
            "--sep\r\nContent-Type: {content_type}\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=\"{name}\"\r\n\r\n{encoded}\r\n"
        ));
    }
    raw.push_str("--sep--\r\n");
    raw.into_bytes()
}

/// The one mail due now, as read back: the acknowledgement of the last mail handed off.
async fn acknowledgement(t: &TestDesk) -> desk::mail::Inbound {
    let relay = Recorded::default();
    t.desk.send_due_mail(&relay).await.expect("sent");
    let sent = relay.sent.lock().expect("sent").clone();
    desk::mail::parse(sent[0].2.as_bytes(), &desk::mail::Limits::default()).expect("a mail")
}

#[tokio::test]
async fn images_are_kept_and_every_other_file_is_named_to_the_operator_and_the_customer() {
    let mut t = desk();
    let dir = tempfile::tempdir().expect("tempdir");
    t.desk = t
        .desk
        .clone()
        .with_blobs(Arc::new(DirBlobs::new(dir.path().join("attachments"))));
    let raw = with_files(
        "Park <park@hanbit.co.kr>",
        "세금계산서가 잘못 나왔어요. 상담원 연결 부탁드려요.",
        &[
            ("screen.png", "image/png", png()),
            (
                "invoice-2026-11.pdf",
                "application/pdf",
                b"%PDF-1.7 ...".to_vec(),
            ),
            (
                "macro.xlsm",
                "application/vnd.ms-excel.sheet.macroEnabled.12",
                vec![0x50, 0x4b, 3, 4],
            ),
            ("broken.png", "image/png", b"not a png at all".to_vec()),
        ],
    );
    let mut incoming = mail(raw.clone());
    incoming.verdict = Some(Verdict::Proved);
    let received = t.desk.receive_mail(&incoming).await.expect("taken");
    let Received::Stored {
        case_id: Some(case_id),
        ..
    } = &received
    else {
        panic!("handed off: {received:?}");
    };
    let message = stored_message(&t, &received).await;
    assert_eq!(message.attachments.len(), 1, "the image is kept");
    let part = message.mail.as_ref().expect("mail part");
    assert_eq!(part.attachments_dropped, 3);
    let named: Vec<(&str, NotKeptWhy)> = part
        .not_kept
        .iter()
        .map(|n| (n.name.as_str(), n.why))
        .collect();
    assert_eq!(
        named,
        [
            ("invoice-2026-11.pdf", NotKeptWhy::NotAnImage),
            ("macro.xlsm", NotKeptWhy::NotAnImage),
            ("broken.png", NotKeptWhy::Unreadable),
        ]
    );
    // The acknowledgement tells the customer which files did not arrive.
    let ack = acknowledgement(&t).await;
    assert!(
        ack.text.contains("invoice-2026-11.pdf") && ack.text.contains("macro.xlsm"),
        "{}",
        ack.text
    );
    assert!(
        !ack.text.contains("broken.png"),
        "an image is not refused as a document"
    );
    // To a sender not proved, the names (someone else's text) are a count.
    let unproved = String::from_utf8(raw)
        .expect("utf-8")
        .replace("Message-ID: <", "Message-ID: <again-");
    t.desk
        .receive_mail(&mail(unproved.into_bytes()))
        .await
        .expect("taken");
    let ack = acknowledgement(&t).await;
    assert!(
        ack.text.contains("2개") && !ack.text.contains("invoice"),
        "{}",
        ack.text
    );
    let view = t.desk.case(case_id).await.expect("case");
    assert_ne!(view.case.priority, Priority::Urgent);
}

#[tokio::test]
async fn a_file_name_that_is_personal_data_is_masked_and_beyond_the_limit_nothing_is_read() {
    let t = desk();
    let many: Vec<(String, &str, Vec<u8>)> = (0..12)
        .map(|i| (format!("scan-{i}.pdf"), "application/pdf", vec![b'%'; 100]))
        .collect();
    let mut files: Vec<(&str, &str, Vec<u8>)> = vec![(
        "주민등록증 900101-1234567.pdf",
        "application/pdf",
        b"%PDF".to_vec(),
    )];
    files.extend(many.iter().map(|(n, c, b)| (n.as_str(), *c, b.clone())));
    let received = t
        .desk
        .receive_mail(&mail(with_files(
            "kim@example.com",
            "신분증 사본 보내드려요. 상담원 연결해 주세요.",
            &files,
        )))
        .await
        .expect("taken");
    let message = stored_message(&t, &received).await;
    let part = message.mail.expect("mail part");
    assert_eq!(part.attachments_dropped, 13);
    assert!(
        !part.not_kept[0].name.contains("1234567"),
        "{}",
        part.not_kept[0].name
    );
    let over: Vec<&str> = part
        .not_kept
        .iter()
        .filter(|n| n.why == NotKeptWhy::OverLimit)
        .map(|n| n.name.as_str())
        .collect();
    assert!(!over.is_empty(), "those past the limit are named too");
    assert!(
        part.not_kept.iter().all(|n| n.bytes > 0),
        "{:?}",
        part.not_kept
    );
}
