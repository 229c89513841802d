#!/usr/bin/env python3
"""tr2ftl: moves the web app's two-language string pairs out of Rust code into the Fluent catalogues.

Usage: tr2ftl.py [--locales DIR] [--section NAME] [--dry-run] FILE.rs [FILE.rs ...]

For each FILE (only the part before its `#[cfg(test)]` module; tests keep their literals):
  * `pub const X: Tr = Tr("ไทย", "English");` (one line or several, any visibility) becomes
    `pub const X: Tr = Tr("x");` with the message id `x` (the constant's name in kebab case);
  * any other `Tr("ไทย", "English")` becomes `Tr("<fn>-<slug>")`;
  * `lang.pick("ไทย", "English")` with literal strings becomes `Tr("<fn>-<slug>").get(lang)`;
  * a tuple of literals `("ไทย", "English")` (the first holding Thai) becomes `Tr("<fn>-<slug>")`, where
    <fn> is the enclosing function and <slug> the match arm's code (`"file_too_large" => (…)`) or else
    the first words of the English.
The Thai goes to th.ftl, the English to en.ftl, appended under a `## <section>` comment (the section is
the file's stem unless --section is given; a `// --- name ---` comment in the file starts a new one).
`{name}` in a string becomes the Fluent variable `{ $name }`; other braces are escaped. An id already in
th.ftl with the same two texts is reused; with other texts the id is prefixed with the file's stem.
Prints what it did; the code of calls that took the tuples apart (`let (th, en) = match …`) must still be
changed by hand to take a `Tr` (the script lists them)."""
import argparse
import os
import re
import sys

STR = r'"(?:[^"\\]|\\.|\\\n)*"'
THAI = re.compile('[\u0e00-\u0e7f]')


def decode(lit):
    """The value of a Rust string literal (with its quotes)."""
    s = lit[1:-1]
    out = []
    i = 0
    while i < len(s):
        c = s[i]
        if c != '\\':
            out.append(c)
            i += 1
            continue
        n = s[i + 1]
        if n == '\n':
            i += 2
            while i < len(s) and s[i] in ' \t\n\r':
                i += 1
            continue
        if n == 'u':
            j = s.index('}', i)
            out.append(chr(int(s[i + 3:j], 16)))
            i = j + 1
            continue
        out.append({'n': '\n', 't': '\t', 'r': '\r', '0': '\0', '\\': '\\', '"': '"', "'": "'"}[n])
        i += 2
    return ''.join(out)


def ftl_value(text):
    """A Fluent pattern showing `text` exactly (one line), `{ident}` turned into a variable."""
    if text == '':
        return '{""}'
    parts = []
    for piece in re.split(r'(\{[a-z_][a-z0-9_]*\}|[{}\n])', text):
        if piece == '':
            continue
        if re.fullmatch(r'\{[a-z_][a-z0-9_]*\}', piece):
            parts.append('{ $' + piece[1:-1] + ' }')
        elif piece == '{':
            parts.append('{"{"}')
        elif piece == '}':
            parts.append('{"}"}')
        elif piece == '\n':
            parts.append('{"\\u000A"}')
        else:
            parts.append(piece)
    value = ''.join(parts)
    # Fluent trims the whitespace around a value: keep it as string literals.
    m = re.match(r'^( +)', value)
    if m:
        value = '{"' + m.group(1) + '"}' + value[len(m.group(1)):]
    m = re.search(r'( +)$', value)
    if m:
        value = value[:-len(m.group(1))] + '{"' + m.group(1) + '"}'
    return value


def kebab(name):
    return re.sub(r'[^a-z0-9]+', '-', name.lower()).strip('-')


def slug(english, words=5):
    w = re.findall(r'[A-Za-z0-9]+', english)
    return kebab('-'.join(w[:words])) or 'text'


def read_ftl(path):
    """id → value of a catalogue (values on one line, as this script writes them)."""
    entries = {}
    if os.path.exists(path):
        for line in open(path, encoding='utf-8'):
            m = re.match(r'^([a-zA-Z][a-zA-Z0-9_-]*) = ?(.*)$', line.rstrip('\n'))
            if m:
                entries[m.group(1)] = m.group(2)
    return entries


def enclosing_fn(src, pos):
    found = None
    for m in re.finditer(r'\bfn\s+(\w+)', src[:pos]):
        found = m.group(1)
    return kebab(found) if found else None


def section_at(src, pos):
    found = None
    for m in re.finditer(r'^// -+ (.*?) -*$', src[:pos], re.M):
        found = m.group(1).strip()
    return found


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--locales', default=None, help='the catalogues (default: locales/ of the crate holding the file)')
    ap.add_argument('--section', default=None)
    ap.add_argument('--dry-run', action='store_true')
    ap.add_argument('files', nargs='+')
    a = ap.parse_args()
    for path in a.files:
        convert(path, a)


def convert(path, a):
    locales = a.locales
    if locales is None:
        d = os.path.dirname(os.path.abspath(path))
        # The crate's own locales/ (the nearest directory up with a Cargo.toml).
        while d != '/' and not os.path.exists(os.path.join(d, 'Cargo.toml')):
            d = os.path.dirname(d)
        if d == '/':
            sys.exit(f'{path}: no Cargo.toml above it: give --locales')
        locales = os.path.join(d, 'locales')
    os.makedirs(locales, exist_ok=True)
    th_path, en_path = os.path.join(locales, 'th.ftl'), os.path.join(locales, 'en.ftl')
    th_have, en_have = read_ftl(th_path), read_ftl(en_path)
    stem = kebab(os.path.splitext(os.path.basename(path))[0])
    src = open(path, encoding='utf-8').read()
    cut = src.find('#[cfg(test)]')
    head, tail = (src, '') if cut < 0 else (src[:cut], src[cut:])

    new_entries = []  # (section, id, th, en)
    by_text = {}

    def allocate(base, th, en, pos):
        tv, ev = ftl_value(th), ftl_value(en)
        if (th, en) in by_text:
            return by_text[(th, en)]
        ident, n = base, 1
        while True:
            taken = [e for e in new_entries if e[1] == ident]
            if ident in th_have and not taken:
                if th_have[ident] == tv and en_have.get(ident) == ev:
                    by_text[(th, en)] = ident
                    return ident
            elif not taken:
                break
            ident = (f'{stem}-{base}' if n == 1 else f'{stem}-{base}-{n}')
            n += 1
        section = a.section or section_at(head, pos) or stem
        new_entries.append((section, ident, tv, ev))
        by_text[(th, en)] = ident
        return ident

    const_re = re.compile(r'(\bconst\s+(\w+)\s*:\s*Tr\s*=\s*)Tr\(\s*(' + STR + r')\s*,\s*(' + STR + r')\s*,?\s*\)')
    tr_re = re.compile(r'\bTr\(\s*(' + STR + r')\s*,\s*(' + STR + r')\s*,?\s*\)')
    pick_re = re.compile(r'\b(\w+)\.pick\(\s*(' + STR + r')\s*,\s*(' + STR + r')\s*,?\s*\)')
    tuple_re = re.compile(r'(?<![\w.])\(\s*(' + STR + r')\s*,\s*(' + STR + r')\s*,?\s*\)')
    arm_re = re.compile(r'(' + STR + r')\s*\)?\s*(?:\|\s*' + STR + r'\s*)*=>\s*\{?\s*$')

    def rep_const(m):
        th, en = decode(m.group(3)), decode(m.group(4))
        return f'{m.group(1)}Tr("{allocate(kebab(m.group(2)), th, en, m.start())}")'

    head = const_re.sub(rep_const, head)

    def base_for(m, en):
        fn = enclosing_fn(head, m.start()) or stem
        before = head[max(0, m.start() - 200):m.start()]
        arm = arm_re.search(before)
        if arm:
            return f'{fn}-{kebab(decode(arm.group(1)))}'
        return f'{fn}-{slug(en)}'

    def rep_tr(m):
        th, en = decode(m.group(1)), decode(m.group(2))
        if not THAI.search(th) and not th == '':
            return m.group(0)
        return f'Tr("{allocate(base_for(m, en), th, en, m.start())}")'

    head = tr_re.sub(rep_tr, head)

    def rep_pick(m):
        th, en = decode(m.group(2)), decode(m.group(3))
        if not THAI.search(th):
            return m.group(0)
        return f'Tr("{allocate(base_for(m, en), th, en, m.start())}").get({m.group(1)})'

    head = pick_re.sub(rep_pick, head)

    def rep_tuple(m):
        th, en = decode(m.group(1)), decode(m.group(2))
        if not THAI.search(th):
            return m.group(0)
        return f'Tr("{allocate(base_for(m, en), th, en, m.start())}")'

    head = tuple_re.sub(rep_tuple, head)

    left = [l for l in head.splitlines() if re.search(r'let \(th, en\)|\.pair\(\)|pick\(th, en\)', l)]
    if a.dry_run:
        for e in new_entries:
            print(f'{e[0]} | {e[1]} = {e[2]} | {e[3]}')
    else:
        for p, col in ((th_path, 2), (en_path, 3)):
            with open(p, 'a', encoding='utf-8') as f:
                last = None
                for e in new_entries:
                    if e[0] != last:
                        f.write(f'\n## {e[0]}\n')
                        last = e[0]
                    f.write(f'{e[1]} = {e[col]}\n')
        if new_entries and 'Tr' in head and not re.search(r'^use .*\bTr\b', head, re.M) and 'pub struct Tr' not in head:
            print(f'{path}: note: make sure `Tr` is in scope (use super::i18n::Tr)', file=sys.stderr)
        open(path, 'w', encoding='utf-8').write(head + tail)
    print(f'{path}: {len(new_entries)} messages to {locales}', file=sys.stderr)
    for e in new_entries:
        if '{ $' in e[2] or '{ $' in e[3]:
            print(f'{path}: {e[1]} has a variable: its call sites must use '
                  f'`.with(lang, &[("name", FluentValue::from(value))])` instead of `.get(lang)` and a replace',
                  file=sys.stderr)
    for l in left:
        print(f'{path}: still to change by hand: {l.strip()}', file=sys.stderr)


if __name__ == '__main__':
    main()
