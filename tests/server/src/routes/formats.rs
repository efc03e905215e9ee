//! Response formats: /, /html, /json, /xml, /robots.txt, /deny, /encoding/utf8.
//! Same content types as httpbin; /html and /encoding/utf8 are shorter texts.

use serde_json::json;

use crate::response::{self, Resp};

pub fn landing() -> Resp {
    response::html(
        200,
        "<!DOCTYPE html>\n<html>\n<head><title>reqc-test-server</title></head>\n<body><h1>reqc-test-server</h1><p>httpbin 0.10.4 compatible test server for libreqc.</p></body>\n</html>\n",
    )
}

pub fn html() -> Resp {
    response::html(
        200,
        "<!DOCTYPE html>\n<html>\n  <head>\n  </head>\n  <body>\n      <h1>Herman Melville - Moby-Dick</h1>\n\n      <div>\n        <p>\n          Availing himself of the mild, summer-cool weather that now reigned in these latitudes, and in preparation for the peculiarly active pursuits shortly to be anticipated, Perth, the begrimed, blistered old blacksmith, had not removed his portable forge to the hold again, after concluding his contributory work for Ahab's leg, but still retained it on deck, fast lashed to ringbolts by the foremast.\n        </p>\n      </div>\n  </body>\n</html>",
    )
}

pub fn json() -> Resp {
    response::json(
        200,
        &json!({
            "slideshow": {
                "title": "Sample Slide Show",
                "date": "date of publication",
                "author": "Yours Truly",
                "slides": [
                    {"type": "all", "title": "Wake up to WonderWidgets!"},
                    {
                        "type": "all",
                        "title": "Overview",
                        "items": [
                            "Why <em>WonderWidgets</em> are great",
                            "Who <em>buys</em> WonderWidgets"
                        ]
                    }
                ]
            }
        }),
    )
}

pub fn xml() -> Resp {
    response::text(
        200,
        "application/xml",
        r#"<?xml version='1.0' encoding='us-ascii'?>

<!--  A SAMPLE set of slides  -->

<slideshow 
    title="Sample Slide Show"
    date="Date of publication"
    author="Yours Truly"
    >

    <!-- TITLE SLIDE -->
    <slide type="all">
      <title>Wake up to WonderWidgets!</title>
    </slide>

    <!-- OVERVIEW -->
    <slide type="all">
        <title>Overview</title>
        <item>Why <em>WonderWidgets</em> are great</item>
        <item/>
        <item>Who <em>buys</em> WonderWidgets</item>
    </slide>

</slideshow>"#,
    )
}

pub fn robots() -> Resp {
    response::text(200, "text/plain", "User-agent: *\nDisallow: /deny\n")
}

pub fn deny() -> Resp {
    response::text(
        200,
        "text/plain",
        r#"
          .-''''''-.
        .' _      _ '.
       /   O      O   \
      :                :
      |                |
      :       __       :
       \  .-"`  `"-.  /
        '.          .'
          '-......-'
     YOU SHOULDN'T BE HERE
"#,
    )
}

pub fn utf8() -> Resp {
    response::html(
        200,
        "<h1>Unicode Demo</h1>\n\n<pre>\nUTF-8 encoded sample plain-text file\n\u{203e}\u{203e}\u{203e}\u{203e}\u{203e}\u{203e}\u{203e}\u{203e}\u{203e}\u{203e}\u{203e}\u{203e}\u{203e}\u{203e}\u{203e}\u{203e}\u{203e}\u{203e}\u{203e}\u{203e}\u{203e}\u{203e}\u{203e}\u{203e}\u{203e}\u{203e}\u{203e}\u{203e}\u{203e}\u{203e}\u{203e}\u{203e}\u{203e}\u{203e}\u{203e}\u{203e}\n\nMathematics: \u{2200}x\u{2208}\u{211d}: \u{2308}x\u{2309} = \u{2212}\u{230a}\u{2212}x\u{230b}, \u{03b1} \u{2227} \u{00ac}\u{03b2} = \u{00ac}(\u{00ac}\u{03b1} \u{2228} \u{03b2})\nGreek: \u{03a3}\u{1f72} \u{03b3}\u{03bd}\u{03c9}\u{03c1}\u{1f77}\u{03b6}\u{03c9}\nRussian: \u{0417}\u{0430}\u{0440}\u{0435}\u{0433}\u{0438}\u{0441}\u{0442}\u{0440}\u{0438}\u{0440}\u{0443}\u{0439}\u{0442}\u{0435}\u{0441}\u{044c}\nJapanese: \u{65e5}\u{672c}\u{8a9e}\nEmoji: \u{1f600}\u{1f680}\n</pre>\n",
    )
}
