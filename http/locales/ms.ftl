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

## #18 §3 The printed forum report and the complainant's receipt (villagers read them: th, en, ms)

# needs-review
report-report-title = Laporan forum
# needs-review
report-report-for-community = Untuk diserahkan kembali kepada komuniti dan untuk difailkan
# needs-review
report-forum-details = Butiran forum
# needs-review
report-held-on = Tarikh forum
# needs-review
report-forum-name = Forum
# needs-review
report-area = Kawasan
# needs-review
report-district = Daerah
# needs-review
report-province = Wilayah
# needs-review
report-facilitator = Fasilitator
# needs-review
report-participants = Bilangan peserta
# needs-review
report-participants-not-recorded = tidak direkodkan
# needs-review
report-sbpac-staff = Kakitangan SBPAC
# needs-review
report-coordinators = Penyelaras daerah
# needs-review
report-leaders = Pemimpin komuniti
# needs-review
report-villagers = Penduduk kampung
# needs-review
report-women = wanita
# needs-review
report-men = lelaki
# needs-review
report-organisations = Organisasi yang menyertai
# needs-review
report-people = orang
# needs-review
report-raised-heading = Masalah yang dibangkitkan di forum ini
# needs-review
report-raised-none = Tiada masalah dibangkitkan di forum ini
# needs-review
report-closed-heading = Masalah kawasan ini yang ditutup sejak forum yang lalu
# needs-review
report-closed-first = Masalah kawasan ini yang telah ditutup (forum pertamanya)
# needs-review
report-closed-since = sejak forum pada
# needs-review
report-closed-ask = Komuniti diminta menilai sama ada setiap masalah ini benar-benar telah diselesaikan
# needs-review
report-closed-none = Tiada masalah yang ditutup untuk dinilai oleh komuniti
# needs-review
report-category = Kategori
# needs-review
report-status = Status
# needs-review
report-outcome = Keputusan
# needs-review
report-description = Butiran
# needs-review
report-action = Tindakan pada
# needs-review
report-responsible = Dipertanggungjawabkan kepada
# needs-review
report-not-yet-assigned = belum diserahkan
# needs-review
report-due-on = Tarikh sasaran
# needs-review
report-raised-on = Tarikh dibangkitkan
# needs-review
report-closed-on = Ditutup pada
# needs-review
report-verdict = Pandangan komuniti
# needs-review
report-verdict-blank = Pandangan komuniti:  [   ] selesai   [   ] belum selesai
# needs-review
report-left-out = Laporan ini tidak memaparkan nama atau butiran peribadi pengadu, dan tiada kes terhad
# needs-review
report-page-of = Halaman { $n } daripada { $total }
# needs-review
report-print = Cetak
# needs-review
report-download-pdf = Muat turun PDF
# needs-review
report-language = Bahasa
# needs-review
report-back = Kembali
# needs-review
report-print-report = Laporan untuk dicetak
# needs-review
report-print-receipt = Resit untuk pengadu
# needs-review
report-receipt-title = Resit aduan
# needs-review
report-receipt-thanks = SBPAC telah menerima aduan anda. Sila simpan resit ini.
# needs-review
report-reference = Nombor rujukan
# needs-review
report-problem = Perkara
# needs-review
report-restricted-title = (kes terhad: butirannya tidak dicetak)
# needs-review
report-raised-at-forum = Dibangkitkan di forum pada
# needs-review
report-what-next = Langkah seterusnya
# needs-review
report-next-raised = Penyelaras daerah akan menyerahkan aduan anda kepada agensi yang bertanggungjawab, dan akan melaporkan kemajuannya di forum kawasan yang akan datang.
# needs-review
report-next-assigned = Aduan anda sedang diuruskan oleh pihak yang bertanggungjawab di atas. Kemajuannya akan dilaporkan di forum kawasan yang akan datang.
# needs-review
report-next-closed = Masalah ini telah ditutup. Di forum yang akan datang komuniti akan ditanya sama ada ia benar-benar selesai; jika tidak, masalah ini akan dibuka semula.
# needs-review
report-how-to-ask = Cara bertanya tentang aduan ini
# needs-review
report-how-to-ask-text = Sebutkan nombor rujukan di atas kepada penyelaras daerah, di forum kawasan yang akan datang, atau hubungi talian panas SBPAC 1880.
# needs-review
report-status-raised = Diterima
# needs-review
report-status-assigned = Telah diserahkan
# needs-review
report-status-addressed = Sedang diuruskan
# needs-review
report-status-closed = Ditutup
# needs-review
report-status-other = Status tidak diketahui
# needs-review
report-outcome-resolved = Telah diselesaikan
# needs-review
report-outcome-unresolved = Tidak dapat diselesaikan
# needs-review
report-outcome-referred = Dirujuk kepada pihak lain
# needs-review
report-outcome-duplicate = Berulang dengan aduan lain
# needs-review
report-outcome-withdrawn = Ditarik balik
# needs-review
report-outcome-other = Keputusan tidak diketahui
# needs-review
report-verdict-confirmed = Disahkan selesai oleh komuniti
# needs-review
report-verdict-disputed = Dipertikaikan oleh komuniti
# needs-review
report-verdict-not-asked = Komuniti belum ditanya
# needs-review
report-verdict-other = —
# needs-review
report-month-1 = Januari
# needs-review
report-month-2 = Februari
# needs-review
report-month-3 = Mac
# needs-review
report-month-4 = April
# needs-review
report-month-5 = Mei
# needs-review
report-month-6 = Jun
# needs-review
report-month-7 = Julai
# needs-review
report-month-8 = Ogos
# needs-review
report-month-9 = September
# needs-review
report-month-10 = Oktober
# needs-review
report-month-11 = November
# needs-review
report-month-12 = Disember
