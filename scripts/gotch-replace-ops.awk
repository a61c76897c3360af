# gotch-replace-ops.awk: replaces the bodies of top-level C++ functions that
# contain a compiler error with a body that raises a runtime error, so that
# gotch's generated bindings compile against a libtorch whose op set differs
# from the one gotch was generated for.
#
# Usage: awk -v ver=VERSION -v listfile=OUT_NAMES -f gotch-replace-ops.awk LINES SOURCE > NEW_SOURCE
#   LINES   one source line number per line: lines the compiler reported errors on
#   SOURCE  the C++ file to rewrite (printed to stdout, rewritten)
# The names of the rewritten functions are appended to listfile, one per line.
# Lines that are not inside any function are printed to stderr as "OUTSIDE <n>"
# so the caller can stop instead of looping forever.
#
# The parser is deliberately simple: it follows brace depth line by line after
# removing string and character literals and comments. That is enough for
# gotch's clang-formatted sources, and a miss only means the caller's next
# syntax pass still fails, which it reports.

FNR == NR { bad[$1 + 0] = 1; next }

{ src[FNR] = $0; n = FNR }

function strip(s) {
    gsub(/"([^"\\]|\\.)*"/, "\"\"", s)
    gsub(/'([^'\\]|\\.)*'/, "''", s)
    gsub(/\/\*[^*]*\*+([^\/*][^*]*\*+)*\//, "", s)
    sub(/\/\/.*/, "", s)
    return s
}

function count(s, ch,    t) {
    t = s
    return gsub(ch, "", t)
}

END {
    # Pass 1: find top-level definitions: start line, line of the opening
    # brace, and line of the closing brace.
    depth = 0; ndef = 0; cand = 0
    for (i = 1; i <= n; i++) {
        s = strip(src[i])
        if (depth == 0) {
            if (!cand && s ~ /^[A-Za-z_]/ && s !~ /^(using|typedef|extern|namespace|#)/) {
                cand = i
            }
            if (cand && index(s, "{") == 0 && s ~ /;[ \t]*$/) {
                cand = 0 # a declaration, not a definition
                continue
            }
        }
        before = depth
        depth += count(s, "{") - count(s, "}")
        if (before == 0 && depth > 0 && cand) {
            ndef++; dstart[ndef] = cand; dopen[ndef] = i
        }
        if (before == 0 && depth == 0 && cand && index(s, "{") > 0) {
            # one-line definition: { ... } on the same line
            ndef++; dstart[ndef] = cand; dopen[ndef] = i; dend[ndef] = i; cand = 0
            continue
        }
        if (before > 0 && depth == 0 && ndef > 0 && dend[ndef] == "") {
            dend[ndef] = i; cand = 0
        }
    }
    # Map each error line to its definition.
    for (l in bad) {
        found = 0
        for (d = 1; d <= ndef; d++) {
            if (l + 0 >= dstart[d] && l + 0 <= dend[d]) { hit[d] = 1; found = 1; break }
        }
        if (!found) print "OUTSIDE " l > "/dev/stderr"
    }
    # Pass 2: print, rewriting the hit definitions.
    d = 1
    for (i = 1; i <= n; i++) {
        while (d <= ndef && dend[d] < i) d++
        if (d <= ndef && hit[d] && i >= dstart[d] && i <= dend[d]) {
            if (i < dopen[d]) { print src[i]; continue }
            if (i > dopen[d]) continue
            # i == dopen[d]: keep the signature up to the first '{'.
            header = ""
            for (k = dstart[d]; k <= dopen[d]; k++) header = header " " strip(src[k])
            line = src[i]
            p = index(line, "{")
            print substr(line, 1, p)
            h = header
            sub(/^[ \t]*template[ \t]*<[^>]*>/, "", h)
            name = h
            sub(/\(.*/, "", name)
            sub(/.*[^A-Za-z0-9_]/, "", name)
            isvoid = (h ~ /^[ \t]*void[ \t]+[A-Za-z_]/)
            printf "  PROTECT(throw std::runtime_error(\"gotch op %s is not available in libtorch %s\");)\n", name, ver
            if (!isvoid) print "  return {};"
            print "}"
            print name >> listfile
            continue
        }
        print src[i]
    }
}
