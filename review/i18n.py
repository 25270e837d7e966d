"""Interface text in Indonesian (default) and English: one message catalogue.

Templates call `t("key")`; a missing key shows the key itself so a gap is visible, and
tests check that both languages have the same keys.
"""

from __future__ import annotations

LANGUAGES = ("id", "en")
LANG_COOKIE = "sorot_lang"

MESSAGES: dict[str, dict[str, str]] = {
    "id": {
        "app_title": "Sorot — Tinjauan Klip",
        "login": "Masuk",
        "logout": "Keluar",
        "username": "Nama pengguna",
        "password": "Kata sandi",
        "login_failed": "Nama pengguna atau kata sandi salah.",
        "login_rate_limited": (
            "Terlalu banyak percobaan masuk yang gagal. Coba lagi dalam {minutes} menit."
        ),
        "login_busy": "Server sedang sibuk memeriksa kata sandi. Coba lagi sebentar lagi.",
        "nights": "Malam",
        "night": "Malam",
        "history": "Riwayat",
        "users": "Pengguna",
        "language": "Bahasa",
        "no_nights": "Belum ada laporan proses malam.",
        "entries": "Semua video di pustaka",
        "no_entries": "Pustaka masih kosong.",
        "event": "Acara",
        "no_event": "Tanpa acara",
        "video": "Video",
        "videos": "video",
        "source": "Sumber",
        "duration": "Durasi",
        "clips": "Klip",
        "approved": "Disetujui",
        "rejected": "Ditolak",
        "undecided": "Belum diputuskan",
        "failed_inputs": "berkas gagal diproses",
        "processed": "diproses",
        "ranked_clips": "Klip berperingkat",
        "no_clips": "Klip belum dibuat untuk video ini.",
        "rank": "Peringkat",
        "score": "Skor",
        "reason": "Alasan",
        "factors": "Faktor skor",
        "timeline": "Linimasa momen",
        "transcript": "Transkrip",
        "no_transcript": "Belum ada transkrip.",
        "foreign_language": "bahasa lain",
        "foreign_hint": (
            "Ucapan ini terdengar dalam bahasa lain: tidak dikutip dan tidak jadi teks "
            "otomatis sampai diperiksa."
        ),
        "transcript_hint": "Klik kata (atau Tab lalu Enter) untuk memutar klip di titik itu.",
        "not_in_clip": "Bagian ini tidak termasuk klip mana pun.",
        "player": "Pemutar",
        "choose_clip": "Pilih klip di sebelah kanan untuk memutarnya.",
        "approve": "Setujui",
        "reject": "Tolak",
        "set_in": "Tandai awal",
        "set_out": "Tandai akhir",
        "reset_trim": "Kembalikan potongan",
        "in_point": "Awal",
        "out_point": "Akhir",
        "decision_saved": "Keputusan disimpan.",
        "comment": "Komentar",
        "comments": "Komentar",
        "add_comment": "Tambah komentar",
        "at_time": "pada",
        "no_comments": "Belum ada komentar.",
        "comment_bad_timecode": "Waktu komentar harus berupa angka antara 0 dan durasi video.",
        "comment_bad_text": "Komentar harus berisi 1–4000 karakter.",
        "decision_bad_kind": "Keputusan harus “setujui” atau “tolak”.",
        "decision_bad_trim": "Awal dan akhir harus di dalam klip, dengan awal sebelum akhir.",
        "no_time": "waktu tidak valid",
        "press_release": "Draf siaran pers",
        "export": "Ekspor klip yang disetujui",
        "export_running": "Menyiapkan ekspor…",
        "export_failed": "Ekspor gagal.",
        "nothing_approved": "Belum ada klip yang disetujui.",
        "download": "Unduh",
        "decided_by": "oleh",
        "who": "Siapa",
        "what": "Apa",
        "when": "Kapan",
        "decisions": "Keputusan",
        "no_decisions": "Belum ada keputusan.",
        "role": "Peran",
        "role_viewer": "Pembaca",
        "role_editor": "Penyunting",
        "role_admin": "Admin",
        "active": "Aktif",
        "add_user": "Tambah pengguna",
        "created": "Dibuat",
        "save": "Simpan",
        "read_only": "Anda hanya dapat membaca (peran pembaca).",
        "error": "Terjadi kesalahan.",
        "not_found": "Tidak ditemukan.",
        "forbidden": "Anda tidak berwenang melakukan ini.",
        "back": "Kembali",
        "seconds": "detik",
        "video_id": "ID video",
        "open": "Buka",
        "verify_title": "Periksa klip yang beredar",
        "verify_intro": (
            "Unggah klip yang beredar. Klip itu hanya dibandingkan dengan klip resmi yang "
            "sudah dipublikasikan."
        ),
        "verify_file": "Berkas video atau audio",
        "verify_max": "Ukuran maksimum",
        "verify_submit": "Periksa",
        "verify_wait": "Pemeriksaan bisa memakan waktu hingga satu menit.",
        "verify_result": "Hasil",
        "verdict_exact": "Berkas ini adalah klip resmi yang dipublikasikan, tanpa perubahan.",
        "verdict_derived": "Klip ini memuat bagian dari klip resmi yang dipublikasikan.",
        "verdict_no_match": "Tidak ada klip resmi terpublikasi yang cocok dengan berkas ini.",
        "verify_no_match_hint": (
            "Ini tidak membuktikan klip itu palsu atau asli: hanya klip yang sudah "
            "dipublikasikan yang diperiksa."
        ),
        "verify_clips": "Klip resmi",
        "verify_in_upload": "Di berkas Anda",
        "verify_in_official": "Di rekaman resmi",
        "verify_match_score": "Kecocokan",
        "verify_confidence": "Keyakinan",
        "verify_coverage": "Bagian berkas yang cocok",
        "verify_words": "Perbedaan kata",
        "verify_no_edits": "Tidak ada perbedaan kata pada bagian yang dipublikasikan.",
        "verify_your_words": "Kata di berkas Anda",
        "verify_official_words": "Kata resmi",
        "edit_inserted": "Disisipkan",
        "edit_deleted": "Dihapus",
        "edit_substituted": "Diganti",
        "edit_moved": "Dipindah",
        "edit_uncertain": "tidak pasti: suara di bagian ini tidak cukup jelas untuk memastikan",
        "verify_sha256": "SHA-256 berkas Anda",
        "verify_too_large": "Berkas terlalu besar.",
        "verify_rate_limited": "Terlalu banyak unggahan. Coba lagi nanti.",
        "verify_not_media": "Berkas ini bukan video atau audio yang dapat dibaca.",
        "verify_no_file": "Pilih berkas untuk diperiksa.",
        "decision_conflict": (
            "Klip ini baru saja diputuskan oleh penyunting lain. Keputusan terbaru "
            "ditampilkan; pilih lagi bila tetap ingin mengubahnya."
        ),
        "export_done_n": "Ekspor siap: {n} klip",
        "export_done_n_one": "Ekspor siap: {n} klip",
        "export_skipped": "dilewati, berkasnya hilang dari penyimpanan:",
        "search": "Cari",
        "audio_only": "Rekaman suara saja: klip diputar sebagai audio, dengan transkripnya.",
        "search_hint": "kata yang diucapkan, acara, tempat, tanggal, pembicara",
        "search_hits": "{n} hasil",
        "search_hits_one": "{n} hasil",
        "search_empty": "Tulis setidaknya satu kata atau angka untuk dicari.",
        "search_too_long": "Pencarian terlalu panjang: paling banyak 200 karakter.",
        "clip_count": "{n} klip",
        "clip_count_one": "{n} klip",
        "factor_interaction": "Interaksi dengan warga",
        "factor_informal": "Suasana informal",
        "factor_leader": "Pimpinan terlihat",
        "factor_leader_any_face": "Wajah terlihat (pimpinan tidak dikenali)",
        "factor_speech_clarity": "Kejelasan ucapan",
        "factor_quotability": "Layak dikutip",
        "factor_visual_quality": "Kualitas gambar",
        "factor_audio_quality": "Kualitas audio",
        "factor_duration_fit": "Durasi pas",
        "label_informal": "Informal",
        "label_ceremonial": "Seremonial",
        "label_crowd": "Kerumunan",
        "label_other": "Lainnya",
        "label_quote": "Kutipan",
        "ranker_hand": "Diurutkan dengan bobot tetap (belum belajar dari keputusan penyunting)",
        "ranker_trained": "Diurutkan oleh model yang belajar dari keputusan penyunting",
        "note_no_leader": (
            "Pengenalan pimpinan tidak aktif (belum ada pimpinan terdaftar): faktor "
            "“Wajah terlihat” berarti wajah siapa pun, bukan pimpinan."
        ),
        "note_leader_failed": (
            "Pengenalan pimpinan tidak berjalan: faktor “Wajah terlihat” berarti wajah "
            "siapa pun, bukan pimpinan."
        ),
        "note_no_people": (
            "Model orang (tubuh dan pose) tidak berjalan: interaksi dinilai dari wajah dan "
            "suara saja."
        ),
        "note_no_faces": "Deteksi wajah tidak berjalan: faktor wajah dan interaksi tidak lengkap.",
        "note_no_picture": (
            "Rekaman tanpa gambar: faktor wajah, gambar dan interaksi tidak dinilai (0)."
        ),
        "place": "Tempat",
        "date": "Tanggal",
        "speaker": "Pembicara",
        "recorded": "Rekaman",
        "from_folder": "nama folder",
        "night_ranked": "Klip terbaik malam ini",
        "no_night_clips": "Belum ada klip malam ini.",
        "verify_too_long": (
            "Rekaman ini lebih dari {minutes} menit. Potong bagian yang beredar lalu unggah lagi."
        ),
        "verify_still_image": "Ini gambar diam, bukan rekaman video atau audio.",
        "verify_busy": "Pemeriksa sedang sibuk dengan unggahan lain. Coba lagi sebentar lagi.",
        "verify_max_minutes": "Panjang maksimum",
        "minutes": "menit",
        "finding_exact": (
            "Asli: berkas ini sama persis dengan klip resmi yang dipublikasikan, tanpa perubahan."
        ),
        "finding_exact_unverified": (
            "Berkas ini sama persis dengan klip di arsip, tetapi tanda tangan arsipnya TIDAK "
            "terverifikasi: jangan anggap asli sebelum dikonfirmasi ke kantor."
        ),
        "finding_excerpt": (
            "Cuplikan: klip ini potongan dari klip resmi yang dipublikasikan; tidak ditemukan "
            "kata yang diubah."
        ),
        "finding_spliced": (
            "Disusun ulang: klip ini menyambung potongan klip resmi dengan urutan atau asal "
            "yang berbeda dari aslinya."
        ),
        "finding_edited": (
            "Diedit: klip ini memakai potongan klip resmi, tetapi ada kata yang berbeda dari "
            "rekaman aslinya."
        ),
        "finding_no_match": "Tidak ada klip resmi terpublikasi yang cocok dengan berkas ini.",
        "signed_by": "Ditandatangani oleh",
        "signed_by_office_key": "kunci resmi kantor",
        "signature_fingerprint": "sidik kunci",
        "signature_compare": (
            "Cocokkan sidik kunci ini dengan yang diumumkan kantor di situs resminya."
        ),
        "signature_bad": (
            "Tanda tangan arsip untuk rekaman ini TIDAK dapat diverifikasi. Hasil ini tidak "
            "bisa dijadikan bukti."
        ),
        "confidence_high": (
            "Sangat yakin: hampir semua sidik suara dan gambar pada bagian yang cocok sama "
            "dengan rekaman resmi."
        ),
        "confidence_medium": (
            "Cukup yakin: sebagian besar sidik suara dan gambar sama; kualitas klip yang "
            "rendah atau suntingan menurunkan angka ini."
        ),
        "confidence_low": (
            "Kurang yakin: hanya sebagian sidik yang sama. Periksa bagian-bagiannya di bawah."
        ),
        "original_of": "Rekaman asli",
        "original_event": "Acara",
        "original_place": "Tempat",
        "original_date": "Tanggal",
        "unknown": "tidak diketahui",
    },
    "en": {
        "app_title": "Sorot — Clip Review",
        "login": "Log in",
        "logout": "Log out",
        "username": "Username",
        "password": "Password",
        "login_failed": "Wrong username or password.",
        "login_rate_limited": "Too many failed logins. Try again in {minutes} minute(s).",
        "login_busy": "The server is busy checking passwords. Try again in a moment.",
        "nights": "Nights",
        "night": "Night",
        "history": "History",
        "users": "Users",
        "language": "Language",
        "no_nights": "No nightly run reports yet.",
        "entries": "All videos in the library",
        "no_entries": "The library is empty.",
        "event": "Event",
        "no_event": "No event",
        "video": "Video",
        "videos": "videos",
        "source": "Source",
        "duration": "Duration",
        "clips": "Clips",
        "approved": "Approved",
        "rejected": "Rejected",
        "undecided": "Undecided",
        "failed_inputs": "files failed",
        "processed": "processed",
        "ranked_clips": "Ranked clips",
        "no_clips": "No clips have been made for this video yet.",
        "rank": "Rank",
        "score": "Score",
        "reason": "Reason",
        "factors": "Score factors",
        "timeline": "Moment timeline",
        "transcript": "Transcript",
        "no_transcript": "No transcript yet.",
        "foreign_language": "other language",
        "foreign_hint": (
            "This speech sounds like another language: not quoted and not captioned until checked."
        ),
        "transcript_hint": "Click a word (or Tab to it, then Enter) to play the clip from there.",
        "not_in_clip": "This part is not inside any clip.",
        "player": "Player",
        "choose_clip": "Choose a clip on the right to play it.",
        "approve": "Approve",
        "reject": "Reject",
        "set_in": "Mark in",
        "set_out": "Mark out",
        "reset_trim": "Reset trim",
        "in_point": "In",
        "out_point": "Out",
        "decision_saved": "Decision saved.",
        "comment": "Comment",
        "comments": "Comments",
        "add_comment": "Add comment",
        "at_time": "at",
        "no_comments": "No comments yet.",
        "comment_bad_timecode": (
            "A comment's time must be a number between 0 and the video's length."
        ),
        "comment_bad_text": "A comment needs 1–4000 characters.",
        "decision_bad_kind": "A decision must be “approve” or “reject”.",
        "decision_bad_trim": "In and out must lie inside the clip, with in before out.",
        "no_time": "invalid time",
        "press_release": "Press release draft",
        "export": "Export approved clips",
        "export_running": "Preparing the export…",
        "export_failed": "The export failed.",
        "nothing_approved": "No clips are approved yet.",
        "download": "Download",
        "decided_by": "by",
        "who": "Who",
        "what": "What",
        "when": "When",
        "decisions": "Decisions",
        "no_decisions": "No decisions yet.",
        "role": "Role",
        "role_viewer": "Viewer",
        "role_editor": "Editor",
        "role_admin": "Admin",
        "active": "Active",
        "add_user": "Add user",
        "created": "Created",
        "save": "Save",
        "read_only": "You can only read (viewer role).",
        "error": "Something went wrong.",
        "not_found": "Not found.",
        "forbidden": "You are not allowed to do this.",
        "back": "Back",
        "seconds": "seconds",
        "video_id": "Video ID",
        "open": "Open",
        "verify_title": "Check a circulating clip",
        "verify_intro": (
            "Upload a circulating clip. It is compared only with official clips that have been "
            "published."
        ),
        "verify_file": "Video or audio file",
        "verify_max": "Maximum size",
        "verify_submit": "Check",
        "verify_wait": "Checking can take up to a minute.",
        "verify_result": "Result",
        "verdict_exact": "This file is a published official clip, unchanged.",
        "verdict_derived": "This clip contains parts of published official clips.",
        "verdict_no_match": "No published official clip matches this file.",
        "verify_no_match_hint": (
            "This does not prove the clip fake or genuine: only published clips are checked."
        ),
        "verify_clips": "Official clips",
        "verify_in_upload": "In your file",
        "verify_in_official": "In the official recording",
        "verify_match_score": "Match",
        "verify_confidence": "Confidence",
        "verify_coverage": "Share of the file matched",
        "verify_words": "Word differences",
        "verify_no_edits": "No word differences in the published parts.",
        "verify_your_words": "Words in your file",
        "verify_official_words": "Official words",
        "edit_inserted": "Inserted",
        "edit_deleted": "Deleted",
        "edit_substituted": "Substituted",
        "edit_moved": "Moved",
        "edit_uncertain": "uncertain: the sound here is not clear enough to be sure",
        "verify_sha256": "SHA-256 of your file",
        "verify_too_large": "The file is too large.",
        "verify_rate_limited": "Too many uploads. Try again later.",
        "verify_not_media": "This file is not readable video or audio.",
        "verify_no_file": "Choose a file to check.",
        "decision_conflict": (
            "Another editor has just decided this clip. Their decision is shown; decide "
            "again to change it."
        ),
        "export_done_n": "Export ready: {n} clips",
        "export_done_n_one": "Export ready: {n} clip",
        "export_skipped": "left out, their files are gone from the store:",
        "search": "Search",
        "audio_only": "Sound-only recording: clips play as audio, with their transcript.",
        "search_hint": "words spoken, event, place, date, speaker",
        "search_hits": "{n} results",
        "search_hits_one": "{n} result",
        "search_empty": "Type at least one word or number to search for.",
        "search_too_long": "The search is too long: at most 200 characters.",
        "clip_count": "{n} clips",
        "clip_count_one": "{n} clip",
        "factor_interaction": "Interaction with citizens",
        "factor_informal": "Informal setting",
        "factor_leader": "Leader visible",
        "factor_leader_any_face": "A face visible (leader not recognised)",
        "factor_speech_clarity": "Speech clarity",
        "factor_quotability": "Quotability",
        "factor_visual_quality": "Picture quality",
        "factor_audio_quality": "Audio quality",
        "factor_duration_fit": "Length fit",
        "label_informal": "Informal",
        "label_ceremonial": "Ceremonial",
        "label_crowd": "Crowd",
        "label_other": "Other",
        "label_quote": "Quote",
        "ranker_hand": "Ranked by fixed weights (not yet learned from editors' decisions)",
        "ranker_trained": "Ranked by a model that learned from editors' decisions",
        "note_no_leader": (
            "Leader recognition is off (no leader enrolled): “A face visible” means anyone's "
            "face, not the leader's."
        ),
        "note_leader_failed": (
            "Leader recognition did not run: “A face visible” means anyone's face, not the "
            "leader's."
        ),
        "note_no_people": (
            "The people model (bodies and poses) did not run: interaction is judged from "
            "faces and sound only."
        ),
        "note_no_faces": "Face detection did not run: face and interaction factors are partial.",
        "note_no_picture": (
            "A recording without picture: face, picture and interaction factors are not judged (0)."
        ),
        "place": "Place",
        "date": "Date",
        "speaker": "Speaker",
        "recorded": "Recorded",
        "from_folder": "folder name",
        "night_ranked": "The night's best clips",
        "no_night_clips": "No clips this night yet.",
        "verify_too_long": (
            "This recording is longer than {minutes} minutes. Cut out the part that circulates "
            "and upload it again."
        ),
        "verify_still_image": "This is a still picture, not a video or audio recording.",
        "verify_busy": "The checker is busy with another upload. Try again in a moment.",
        "verify_max_minutes": "Maximum length",
        "minutes": "minutes",
        "finding_exact": "Genuine: this file is a published official clip, unchanged.",
        "finding_exact_unverified": (
            "This file is identical to a clip in the archive, but the archive's signature does "
            "NOT verify: do not treat it as genuine before the office confirms it."
        ),
        "finding_excerpt": (
            "Excerpt: this clip is a cut from a published official clip; no changed words found."
        ),
        "finding_spliced": (
            "Rearranged: this clip joins pieces of official clips in another order or from "
            "other places than the original."
        ),
        "finding_edited": (
            "Edited: this clip uses pieces of official clips, but some words differ from the "
            "original recording."
        ),
        "finding_no_match": "No published official clip matches this file.",
        "signed_by": "Signed by",
        "signed_by_office_key": "the office's official key",
        "signature_fingerprint": "key fingerprint",
        "signature_compare": (
            "Compare this fingerprint with the one the office publishes on its own website."
        ),
        "signature_bad": (
            "The archive's signature for this recording does NOT verify. This answer is not "
            "evidence."
        ),
        "confidence_high": (
            "Very sure: nearly all sound and picture fingerprints of the matched part equal "
            "the official recording's."
        ),
        "confidence_medium": (
            "Fairly sure: most fingerprints agree; low quality or edits lower this number."
        ),
        "confidence_low": (
            "Not very sure: only some fingerprints agree. Look at the pieces below."
        ),
        "original_of": "Original recording",
        "original_event": "Event",
        "original_place": "Place",
        "original_date": "Date",
        "unknown": "unknown",
    },
}


def translate(lang: str, key: str) -> str:
    """The message for `key` in `lang` (falls back to Indonesian, then to the key)."""
    return MESSAGES.get(lang, MESSAGES["id"]).get(key) or MESSAGES["id"].get(key, key)


def counted(lang: str, key: str, n: int) -> str:
    """A message with a count, "{n} klip" / "1 clip": `key_one` when n is 1."""
    chosen = f"{key}_one" if n == 1 and f"{key}_one" in MESSAGES["id"] else key
    return translate(lang, chosen).replace("{n}", str(n))


def pick_language(cookie: str | None, default: str) -> str:
    """The UI language from the language cookie, else the configured default."""
    return cookie if cookie in LANGUAGES else default
