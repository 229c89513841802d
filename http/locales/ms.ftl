### Santisuk: mesej dalam Bahasa Melayu (Rumi), untuk apa yang dibaca oleh penduduk kampung.
### Malay (Rumi script) messages, for what villagers read: the printed forum report and the complainant's
### receipt. Staff pages are in Thai or English only.
###
### Rules for this file (checked by a test, `cargo test -p santisuk-http --lib i18n`):
###  - every message here must also exist in th.ftl (th.ftl is the reference; a message missing here is
###    shown in Thai);
###  - the comment line directly above each message (no blank line between) says its state:
###      # needs-review         drafted by machine or by a non-native speaker: a native speaker must check it
###      # reviewed: <name>, <date>   checked by a native speaker (replace the needs-review line)
###    A message without one of these two lines fails the test.
###  - keep the variables ({ $name }) of the Thai message; change only the words around them.
### To correct a translation: edit the text after "=", replace "# needs-review" by "# reviewed: ...",
### and rebuild (the catalogues are built into the binary).

## chrome

# needs-review
app = Santisuk
# needs-review
app-tagline = Menjejaki masalah yang dibangkitkan di forum mendengar suara rakyat
# needs-review
lang-th = Bahasa Thai
# needs-review
lang-en = Bahasa Inggeris
# needs-review
lang-ms = Bahasa Melayu

## dates (Common Era years: the Malay page counts years as Malay readers do)

# needs-review
month-jan = Jan
# needs-review
month-feb = Feb
# needs-review
month-mar = Mac
# needs-review
month-apr = Apr
# needs-review
month-may = Mei
# needs-review
month-jun = Jun
# needs-review
month-jul = Jul
# needs-review
month-aug = Ogos
# needs-review
month-sep = Sep
# needs-review
month-oct = Okt
# needs-review
month-nov = Nov
# needs-review
month-dec = Dis

## statuses and outcomes of a problem

# needs-review
status-raised = Diterima
# needs-review
status-assigned = Telah diserahkan kepada pihak bertanggungjawab
# needs-review
status-addressed = Dalam tindakan
# needs-review
status-closed = Ditutup
# needs-review
status-unknown-status = Status tidak diketahui
# needs-review
outcome-resolved = Telah diselesaikan
# needs-review
outcome-unresolved = Tidak dapat diselesaikan
# needs-review
outcome-referred = Dirujuk kepada agensi lain
# needs-review
outcome-duplicate = Sama dengan masalah lain
# needs-review
outcome-withdrawn = Ditarik balik oleh pengadu
# needs-review
outcome-unknown-outcome = Keputusan tidak diketahui
