"""The one real article we have (2019 layout), reproduced exactly as evidence for the replica.

Text copied from a 2019 text rendering of an alinea.id article page. Trailing no-break spaces
are the page's own ``&nbsp;``; the last paragraph holds a line break (two lines).
"""

from __future__ import annotations

from datetime import datetime

from .article import Ad, Block, Paragraph, Subheading
from .dates import WIB

TITLE = "Perdana, Kim Jong-un dan Putin bertatap muka di Vladivostok"
SLUG = "perdana-kim-jong-un-dan-putin-bertatap-muka-di-vladivostok"
SECTION = "dunia"
LEAD = "Kim Jong-un dan Putin sepakat untuk membangun hubungan yang lebih dekat."
AUTHOR = "Khairisa Ferida"
PUBLISHED = datetime(2019, 4, 25, 13, 45, tzinfo=WIB)
PUBLISHED_RAW = "Kamis, 25 Apr 2019 13:45 WIB"
SOURCE = "AFP"
IMAGE_URL = "https://img.alinea.id/img/content/2019/04/25/38912/perdana-kim-jong-un-dan-putin-bertatap-muka-di-vladivostok-k3x9qv1m2a.jpg"

BLOCKS: tuple[Block, ...] = (
    Paragraph(
        (
            "Kamis (25/4), menjadi hari bersejarah bagi Korea Utara dan Rusia. Hari "
            "ini merupakan kali pertama pemimpin kedua negara bertemu setelah "
            "kunjungan Kim Jong-il ke Negeri Beruang Merah pada 2011.",
        )
    ),
    Paragraph(
        (
            "Pertemuan Kim Jong-un dan Presiden Vladimir Putin berlangsung di Far "
            "Eastern Federal University, Vladivostok. Putin tiba lebih dulu, keduanya "
            "saling melepas senyum sebelum akhirnya berjabat tangan dan berpose untuk "
            "awak media.",
        )
    ),
    Paragraph(
        (
            "Dalam pernyataan singkat sebelum pembicaraan tertutup antar keduanya, "
            "Kim Jong-un dan Putin sepakat untuk membangun hubungan yang lebih dekat.",
        )
    ),
    Paragraph(
        (
            '"Saya rasa ini akan menjadi pertemuan yang sangat bermanfaat dalam '
            "mengembangkan hubungan kedua negara, yang memiliki persahabatan dan "
            'sejarah yang panjang, menjadi lebih stabil dan sehat," ungkap Kim '
            'Jong-un. "Karena dunia terfokus pada Semenanjung Korea, saya rasa dialog '
            'kami akan penting."',
        )
    ),
    Paragraph(
        (
            "Sementara itu, Putin mengatakan kepada Kim Jong-un bahwa dia mendukung "
            "upaya berkelanjutan untuk meredakan ketegangan di Semenanjung Korea dan "
            "ingin meningkatkan hubungan ekonomi.\xa0",
        )
    ),
    Paragraph(
        (
            '"Saya yakin lawatan Anda ke Rusia akan membantu mengembangkan hubungan '
            "bilateral kita dan akan membantu kami memahami cara untuk dapat membantu "
            "menyelesaikan situasi di Semenanjung Korea ... Apa yang dapat dilakukan "
            "Rusia untuk mendukung proses positif yang tengah berlangsung. Kami "
            "menyambut upaya Anda mengembangkan dialog antar-Korea dan upaya Anda "
            "untuk menormalisasi hubungan Amerika Serikat-Korea Utara. Dan tentu "
            "saja, dalam hal agenda bilateral, kita perlu mencapai banyak hal untuk "
            "mengembangkan hubungan perdagangan dan ekonomi dan hubungan "
            'kemanusiaan," kata Putin.',
        )
    ),
    Paragraph(
        (
            "KTT Vladivostok terjadi di tengah upaya Kim Jong-un untuk mencari "
            "dukungan atas pertikaiannya dengan Amerika Serikat soal denuklirisasi.",
        )
    ),
    Paragraph(
        (
            "Selain isu program nuklir yang menjadi fokus utama kedatangan Kim "
            "Jong-un ke Rusia, kedua kepala negara diprediksi juga akan membahas "
            "nasib sekitar 10.000 buruh Korea Utara yang bekerja di Rusia. Di bawah "
            "ketentuan sanksi atas Korea Utara, para buruh tersebut harus pergi.",
        )
    ),
    Ad(0),
    Paragraph(
        (
            "Tenaga kerja adalah salah satu ekspor utama Korea Utara dan sumber uang "
            "tunai negara itu. Pyongyang dilaporkan meminta Rusia agar terus "
            "mempekerjakan warganya bahkan setelah batas waktu yang ditentukan.",
        )
    ),
    Paragraph(("Kim Jong-un diduga kuat juga mengejar peningkatan bantuan Rusia.\xa0",)),
    Paragraph(
        (
            "Menurut Kremlin, Rusia telah memberikan bantuan pangan senilai US$25 "
            "juta kepada Korea Utara dalam beberapa tahun terakhir. Kantor berita "
            "TASS melaporkan bahwa satu pengiriman bantuan pada Maret yang dipasok "
            "via pelabuhan Chongjin termasuk lebih dari 2.000 ton gandum.\xa0",
        )
    ),
    Paragraph(("Bagi Putin, KTT Vladivostok adalah kesempatan untuk mendorong agenda Rusia menentang pengaruh internasional AS.",)),
    Paragraph(
        (
            "Dalam sebuah wawancara dengan kantor berita China People's Daily yang "
            "dirilis Kamis, Putin mengecam negara-negara yang mengklaim kepemimpinan "
            "tunggal di panggung global.",
        )
    ),
    Paragraph(
        (
            '"Mereka dengan tidak sengaja menginjak norma dan prinsip-prinsip hukum '
            "internasional, melakukan pemerasan, sanksi dan tekanan, serta mencoba "
            'untuk memaksakan nilai-nilai mereka," ungkap Putin.',
        )
    ),
    Paragraph(
        (
            "Sejak Maret 2018, Kim Jong-un telah mengadakan empat kali pertemuan "
            "dengan Presiden China Xi Jinping, tiga kali tatap muka dengan Presiden "
            "Korea Selatan Moon Jae-in, dua kali KTT dengan Donald Trump dan satu "
            "kali pertemuan dengan Presiden Vietnam.",
        )
    ),
    Paragraph(
        (
            "KTT terakhir Kim Jong-un dengan Trump di Hanoi pada Februari lalu "
            "berakhir tanpa kesepakatan, menyebabkan kebuntuan dalam negosiasi "
            "denuklirisasi.\xa0",
        )
    ),
    Subheading("Sekutu lama"),
    Paragraph(
        (
            "Kremlin mengatakan fokus pembicaraan KTT Vladivostok adalah menemukan "
            "solusi politik dan diplomatik terkait isu nuklir di Semenanjung Korea, "
            "tetapi tidak ada pernyataan bersama atau penandatanganan perjanjian yang "
            "direncanakan.",
        )
    ),
    Paragraph(
        (
            "Moskow adalah pendukung penting Pyongyang selama beberapa dekade dan "
            "hubungan mereka kembali ke sejarah berdirinya Korea Utara, ketika Uni "
            "Soviet mengangkat kakek Kim Kim Il-sung sebagai pemimpin.",
        )
    ),
    Paragraph(
        (
            "Uni Soviet mengurangi pendanaan ke Korea Utara saat mereka mulai "
            "mengejar rekonsiliasi dengan Korea Selatan pada 1980-an. Bagaimanapun, "
            "Pyongyang dilaporkan sangat terpukul oleh kehancuran Soviet pada 1991.",
        )
    ),
    Paragraph(
        (
            "Segera setelah pemilihan pertamanya sebagai Presiden Rusia, Putin "
            "berusaha untuk menormalkan hubungan dengan Korea Utara. Dia bertemu Kim "
            "Jong-il tiga kali, termasuk pertemuan 2002 yang juga diadakan di "
            "Vladivostok.",
        )
    ),
    Paragraph(
        (
            "Merenggangnya hubungan Korea Utara-Rusia dilihat sebagai kesempatan bagi "
            "China untuk memperkuat perannya sebagai sekutu terpenting Korea Utara "
            "sekaligus sebagai mitra dagang terbesar dan pemasok bahan bakar "
            "krusial.\xa0",
            "Para analis menilai bahwa lawatan Kim Jong-un ke Rusia bukan tidak "
            "mungkin upaya untuk menyeimbangkan pengaruh Tiongkok. (AFP)",
        )
    ),
)
