#!/usr/bin/env python3
"""The console's QR encoder (web/shared/qr.js) against a real decoder: texts of 1 to 1,000 bytes,
otpauth URIs (ASCII and percent-encoded Chinese labels) at every error-correction level and Chinese
text are encoded by the module under Node, drawn with a quiet zone and read back with OpenCV's
QRCodeDetector; every one must decode to its exact text. Too long a text must be refused.
Usage: deploy/browser/qr_decode_test.py"""
import json
import os
import subprocess
import sys

try:
    import cv2
    import numpy
except ImportError:
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "opencv-python-headless", "numpy"], check=True)
    import cv2
    import numpy

MODULE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "Sources/LiushouWeb/Resources/web/shared/qr.js")
URIS = ["otpauth://totp/Liushou:county.admin?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Liushou&algorithm=SHA1&digits=6&period=30",
        "otpauth://totp/Liushou:%E5%8E%BF%E7%AE%A1%E7%90%86%E5%91%98?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Liushou&algorithm=SHA1&digits=6&period=30",
        "otpauth://totp/Liushou:县管理员?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Liushou&algorithm=SHA1&digits=6&period=30"]
CASES = [("".join(chr(97 + i % 26) for i in range(n)), "M") for n in (1, 10, 17, 50, 100, 134, 200, 400, 1000)]
CASES += [(uri, level) for uri in URIS for level in "LMQH"]
CASES += [("留守儿童关爱平台" * 3, "M"), ("otpauth://totp/Liushou:县管理员?secret=JBSWY3DPEHPK3PXP&issuer=Liushou", "M")]

SCRIPT = """
import { encodeQR } from %s;
const cases = JSON.parse(process.argv[1]);
const out = cases.map(([text, ecl]) => {
  const code = encodeQR(text, { ecl });
  const rows = [];
  for (let y = 0; y < code.size; y++) { let row = ''; for (let x = 0; x < code.size; x++) row += code.isDark(x, y) ? '1' : '0'; rows.push(row); }
  return { version: code.version, rows };
});
let refused = false;
try { encodeQR('x'.repeat(3000), { ecl: 'H' }); } catch (e) { refused = true; }
console.log(JSON.stringify({ out, refused }));
""" % json.dumps("file://" + os.path.abspath(MODULE))


def main():
    result = json.loads(subprocess.run(["node", "--input-type=module", "-e", SCRIPT, json.dumps(CASES)],
                                       capture_output=True, text=True, check=True).stdout)
    detector = cv2.QRCodeDetector()
    failures = 0
    for (text, level), code in zip(CASES, result["out"]):
        matrix = numpy.array([[0 if c == "1" else 255 for c in row] for row in code["rows"]], dtype=numpy.uint8)
        image = numpy.kron(numpy.pad(matrix, 4, constant_values=255), numpy.ones((8, 8), dtype=numpy.uint8))
        read, _, _ = detector.detectAndDecode(image)
        # OpenCV answers byte-mode payloads as text; a decoder that took the bytes as Latin-1 is undone here.
        if read != text:
            try:
                read = read.encode("latin-1").decode("utf-8")
            except (UnicodeEncodeError, UnicodeDecodeError):
                pass
        ok = read == text
        failures += not ok
        print(f"{len(text.encode()):5d} bytes  version {code['version']:2d}  level {level}  {'ok' if ok else 'FAILED: ' + repr(read[:40])}")
    if not result["refused"]:
        print("FAILED: 3,000 bytes at level H were not refused")
        failures += 1
    if failures:
        sys.exit(f"{failures} QR code(s) did not decode")
    print(f"qr decode test passed: {len(CASES)} codes read back exactly; too long a text is refused")


if __name__ == "__main__":
    main()
