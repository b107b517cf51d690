//! The monitoring spreadsheet: exported as XLSX and CSV (the same rows, LibreOffice reads the
//! XLSX as the CSV), filled and imported back after a preview, all at once; every problem of a
//! file named by sheet, row and column with nothing saved; a large file read in the background.

use crate::support::{Session, TestApp};
use agio_testkit::both_backends;
use axum::http::StatusCode;

const COORDINATOR: &str = "coordinatore@demo.agio.example";
const REFERENT: &str = "referente@demo.agio.example";
const GUASTALLA: &str = "/agende/agenda-digitale-sociale-bassa-reggiana-2025-2027";

fn records(csv_text: &str) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(csv_text.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

fn write_csv(rows: &[Vec<String>]) -> Vec<u8> {
    let mut out = csv::Writer::from_writer(Vec::new());
    for row in rows {
        out.write_record(row).unwrap();
    }
    out.into_inner().unwrap()
}

/// Uploads `file` and returns the import's page (waiting while it is read in the background).
async fn upload(app: &TestApp, who: &Session, name: &str, file: &[u8]) -> (String, crate::support::Reply) {
    let sent =
        app.post_multipart(&format!("{GUASTALLA}/monitoraggio/importa"), who, &[], &[("file", name, file)]).await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let page = sent.header("location").to_string();
    // A large file is read in the background: its page says so until it is done.
    for _ in 0..1200 {
        let reply = app.get_as(&page, who).await;
        if !reply.body.contains("In lettura") {
            return (page, reply);
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("{page} is still being read");
}

both_backends!(a_quarter_goes_in_through_the_spreadsheet_after_a_preview, |backend| async move {
    let app = TestApp::demo(backend).await;
    let referent = app.sign_in(REFERENT).await;
    let a02 = app.indicators(crate::support::GUASTALLA, "A02").await;
    // The template: every indicator of the agenda × every quarter of its years, in both formats.
    let xlsx = app.get_as(&format!("{GUASTALLA}/monitoraggio/valori.xlsx"), &referent).await;
    assert_eq!(xlsx.status, StatusCode::OK);
    assert_eq!(xlsx.header("content-type"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    let csv = app.get_as(&format!("{GUASTALLA}/monitoraggio/valori.csv"), &referent).await;
    let mut rows = records(&csv.body);
    assert_eq!(rows[0][..3], ["id_indicatore", "azione", "indicatore"]);
    let read = agio_app::monitoring_sheet::read_xlsx(xlsx.bytes.clone()).expect("the export reads back");
    assert_eq!(read.len(), rows.len() - 1, "the same rows in XLSX and CSV");
    // Two values of A02 for the first quarter of 2027: a count, and a percentage as its parts.
    let row_of = |rows: &[Vec<String>], id: &str| rows.iter().position(|r| r[0] == id && r[6] == "2027-Q1").unwrap();
    let count = row_of(&rows, &a02[1]);
    rows[count][7] = "1.240,5".into();
    rows[count][10] = "Dal registro degli sportelli".into();
    let share = row_of(&rows, &a02[2]);
    rows[share][8] = "30".into();
    rows[share][9] = "48".into();
    let (page, preview) = upload(&app, &referent, "valori.csv", &write_csv(&rows)).await;
    preview.page_with(&[
        "Pronta da confermare",
        "2 valori nuovi, 0 modificati",
        "1.240,5",
        "62,5 (30 / 48)",
        "1º trimestre 2027",
        "Conferma e salva i valori",
    ]);
    // Nothing is saved before the confirmation.
    let indicator = format!("{GUASTALLA}/indicatori/{}", a02[1]);
    assert!(!app.get_as(&indicator, &referent).await.body.contains("1.240,5"));
    let confirmed = app.post_as(&format!("{page}/conferma"), &referent, &[]).await;
    assert_eq!(confirmed.status, StatusCode::SEE_OTHER, "{}", confirmed.body);
    app.get_as(&page, &referent).await.page_with(&["Confermata e salvata"]);
    app.get_as(&indicator, &referent).await.page_with(&["1.240,5", "Bozza", "Dal registro degli sportelli"]);
    // Twice is once: the import is applied.
    assert_eq!(app.post_as(&format!("{page}/conferma"), &referent, &[]).await.status, StatusCode::CONFLICT);
    // The same file again changes nothing.
    let (_, again) = upload(&app, &referent, "valori.csv", &write_csv(&rows)).await;
    again.page_with(&["0 valori nuovi, 0 modificati"]);
    assert!(!again.body.contains("Conferma e salva"), "nothing to confirm");
    // The imports are kept, with their result: each person's own, and all for the coordinators.
    app.get_as(&format!("{GUASTALLA}/monitoraggio/importa"), &referent).await.page_with(&[
        "Importazioni recenti",
        "valori.csv",
        "Confermata e salvata",
    ]);
    let coordinator = app.sign_in(COORDINATOR).await;
    app.get_as(&format!("{GUASTALLA}/monitoraggio/importa"), &coordinator)
        .await
        .page_with(&["valori.csv", "valori-2026-T4-bozza.xlsx"]);
    // Only those who enter or approve values have the spreadsheet.
    let citizen = app.sign_in("cittadino@demo.agio.example").await;
    let refused = app.get_as(&format!("{GUASTALLA}/monitoraggio/valori.xlsx"), &citizen).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
});

both_backends!(every_problem_of_a_file_is_named_by_sheet_row_and_column_and_nothing_is_saved, |backend| async move {
    let app = TestApp::demo(backend).await;
    let referent = app.sign_in(REFERENT).await;
    let a01 = app.indicators(crate::support::GUASTALLA, "A01").await;
    let a02 = app.indicators(crate::support::GUASTALLA, "A02").await;
    let csv = app.get_as(&format!("{GUASTALLA}/monitoraggio/valori.csv"), &referent).await;
    let mut rows = records(&csv.body);
    let row_of = |rows: &[Vec<String>], id: &str| rows.iter().position(|r| r[0] == id && r[6] == "2027-Q1").unwrap();
    let ambiguous = row_of(&rows, &a02[1]);
    rows[ambiguous][7] = "12 persone".into();
    // A row of an action led by another organisation (not in the referent's template).
    let mut foreign = rows[ambiguous].clone();
    foreign[0] = a01[0].clone();
    foreign[7] = "9".into();
    rows.push(foreign);
    let other = rows.len() - 1;
    let outside = row_of(&rows, &a02[0]);
    rows[outside][6] = "2031-Q1".into();
    rows[outside][7] = "2".into();
    let (_, failed) = upload(&app, &referent, "valori.csv", &write_csv(&rows)).await;
    failed.page_with(&[
        "Con errori: niente è stato salvato",
        &format!("<td>Valori</td><td>{}</td><td>H (valore)</td><td>scrivi un numero", ambiguous + 1),
        &format!(
            "<td>{}</td><td>A (id_indicatore)</td><td>l&#39;indicatore è di un&#39;azione di un altro soggetto",
            other + 1
        ),
        &format!("<td>{}</td><td>G (periodo)</td><td>scegli un periodo tra 2025-Q1 e 2027-Q4", outside + 1),
    ]);
    assert!(!failed.body.contains("Conferma e salva"));
    // A CSV that is not UTF-8 is refused, not guessed.
    let latin1: Vec<u8> = "id_indicatore;nota\ncittà\n".chars().map(|c| c as u32 as u8).collect();
    let (_, refused) = upload(&app, &referent, "valori.csv", &latin1).await;
    refused.page_with(&["il file non è testo UTF-8"]);
    // An XLSX with a changed header, a formula and merged cells.
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("Valori").unwrap();
    for (c, name) in agio_app::monitoring_sheet::COLUMNS.iter().enumerate() {
        let name = if *name == "valore" { "value" } else { name };
        sheet.write_string(0, c as u16, name).unwrap();
    }
    sheet.write_string(1, 0, &a02[1]).unwrap();
    sheet.write_string(1, 6, "2027-Q1").unwrap();
    sheet.write_formula(1, 7, "=2+2").unwrap();
    sheet.merge_range(2, 10, 2, 11, "nota unita", &rust_xlsxwriter::Format::new()).unwrap();
    let (_, bad) = upload(&app, &referent, "valori.xlsx", &book.save_to_buffer().unwrap()).await;
    bad.page_with(&[
        "<td>Valori</td><td>1</td><td>H (valore)</td><td>l&#39;intestazione di questa colonna deve essere «valore»",
        "<td>Valori</td><td>2</td><td>H (valore)</td><td>la cella contiene una formula",
        "<td>Valori</td><td>3</td><td>K (nota)</td><td>celle unite",
    ]);
    // Something that is not a spreadsheet, and a file over the limit.
    let (_, garbage) = upload(&app, &referent, "valori.xlsx", b"not a zip").await;
    garbage.page_with(&["il file non si può leggere come XLSX o CSV"]);
    let huge = vec![b'a'; agio_app::monitoring_sheet::MAX_FILE_BYTES + 128 * 1024];
    let importa = format!("{GUASTALLA}/monitoraggio/importa");
    let too_large = app.post_multipart(&importa, &referent, &[], &[("file", "v.csv", &huge)]).await;
    assert_eq!(too_large.status, StatusCode::PAYLOAD_TOO_LARGE);
    // Nothing of it was saved.
    let page = app.get_as(&format!("{GUASTALLA}/indicatori/{}", a02[1]), &referent).await;
    assert!(!page.body.contains("1º trimestre 2027</th>\n    <td>9"), "nothing saved");
});

both_backends!(a_large_file_is_read_in_the_background_and_its_result_kept, |backend| async move {
    let app = TestApp::demo(backend).await;
    let coordinator = app.sign_in(COORDINATOR).await;
    let csv = app.get_as(&format!("{GUASTALLA}/monitoraggio/valori.csv"), &coordinator).await;
    let mut rows = records(&csv.body);
    // Every 2027 row of the agenda gets a value and a long note: far past what is read at once.
    let note = "Rilevazione trimestrale dagli sportelli. ".repeat(40);
    let mut filled = 0;
    for row in rows.iter_mut().skip(1).filter(|r| r[6].starts_with("2027")) {
        row[7] = "3".into();
        row[8] = "3".into();
        row[9] = "4".into();
        row[10] = note.clone();
        filled += 1;
    }
    let file = write_csv(&rows);
    assert!(file.len() > 256 * 1024, "{} bytes", file.len());
    let (page, ready) = upload(&app, &coordinator, "anno-2027.csv", &file).await;
    ready.page_with(&["Pronta da confermare", &format!("{filled} valori nuovi")]);
    ready.page_with(&[&format!("<dt>Righe lette</dt><dd>{0} di {0}</dd>", rows.len() - 1)]);
    let confirmed = app.post_as(&format!("{page}/conferma"), &coordinator, &[]).await;
    assert_eq!(confirmed.status, StatusCode::SEE_OTHER, "{}", confirmed.body);
    app.get_as(&page, &coordinator).await.page_with(&["Confermata e salvata"]);
});

/// LibreOffice opens the XLSX export and reads the same cells as the CSV export.
#[tokio::test]
async fn libreoffice_reads_the_xlsx_export_as_the_csv_export() {
    let app = TestApp::demo(agio_store::Backend::Sqlite).await;
    let coordinator = app.sign_in(COORDINATOR).await;
    let xlsx = app.get_as(&format!("{GUASTALLA}/monitoraggio/valori.xlsx"), &coordinator).await;
    let csv = app.get_as(&format!("{GUASTALLA}/monitoraggio/valori.csv"), &coordinator).await;
    let dir = std::env::temp_dir().join(format!("agio-soffice-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("valori.xlsx"), &xlsx.bytes).unwrap();
    let converted = std::process::Command::new("soffice")
        .args(["--headless", "--norestore", "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76"])
        .arg("--outdir")
        .arg(&dir)
        .arg(dir.join("valori.xlsx"))
        .env("HOME", &dir)
        .output()
        .expect("LibreOffice (scripts/test installs libreoffice-calc-nogui)");
    assert!(converted.status.success(), "{}", String::from_utf8_lossy(&converted.stderr));
    let read_back = std::fs::read_to_string(dir.join("valori.csv")).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(records(&read_back), records(&csv.body));
}

both_backends!(an_import_is_its_author_s_and_a_far_cell_or_three_decimals_are_read_safely, |backend| async move {
    let app = TestApp::demo(backend).await;
    let coordinator = app.sign_in(COORDINATOR).await;
    let referent = app.sign_in(REFERENT).await;
    let a02 = app.indicators(crate::support::GUASTALLA, "A02").await;
    let csv = app.get_as(&format!("{GUASTALLA}/monitoraggio/valori.csv"), &coordinator).await;
    let mut rows = records(&csv.body);
    let at = rows.iter().position(|r| r[0] == a02[1] && r[6] == "2027-Q2").unwrap();
    // Three decimals as a spreadsheet writes them are a decimal point, not thousands.
    rows[at][7] = "1.234".into();
    let (page, preview) = upload(&app, &coordinator, "valori.csv", &write_csv(&rows)).await;
    preview.page_with(&["Pronta da confermare", "1,234"]);
    // The coordinator's import is theirs: a referent neither reads nor confirms it.
    assert_eq!(app.get_as(&page, &referent).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.post_as(&format!("{page}/conferma"), &referent, &[]).await.status, StatusCode::NOT_FOUND);
    let list = app.get_as(&format!("{GUASTALLA}/monitoraggio/importa"), &referent).await;
    assert!(!list.body.contains(&page), "the referent's list holds only their imports");
    // A cell far to the right is refused where it is, without making every row that wide.
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("Valori").unwrap();
    for (c, name) in agio_app::monitoring_sheet::COLUMNS.iter().enumerate() {
        sheet.write_string(0, c as u16, *name).unwrap();
    }
    sheet.write_number(1, 16_000, 1.0).unwrap();
    let (_, far) = upload(&app, &referent, "valori.xlsx", &book.save_to_buffer().unwrap()).await;
    far.page_with(&["<td>Valori</td><td>2</td><td>16001</td><td>questa colonna non è nel modello"]);
});
