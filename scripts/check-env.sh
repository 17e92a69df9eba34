#!/usr/bin/env bash
# Fails when the code reads an environment variable that .env.example does not list.
#
#   scripts/check-env.sh [ROOT]      check ROOT (default: the repository) against ROOT/.env.example
#   scripts/check-env.sh --self-test check the check: a fake tree reading unlisted variables must fail, and pass
#                                    once they are listed
#
# Scanned: Rust sources under */src/ (not tests/, benches/, examples/, tests.rs files or `#[cfg(test)] mod` blocks)
# for `env::var("X")`, `env::var_os("X")` (with or without `std::`), clap `env = "X"` and `.env("X")`, and
# `env!("X")` / `option_env!("X")` unless X starts with CARGO_. A file that calls `env::var(name)` with a
# non-literal argument reads through a helper (`let var = |k| std::env::var(k)…` then `var("X")`), and a library
# file defining `fn from_lookup(` reads the names the binary's lookup is asked for (`get("X")`): in such files every
# call `some_fn("UPPER_CASE")` counts as a read.
# Front end: `import.meta.env.VITE_X` under frontend/src and frontend/*.ts.
# A variable is listed when .env.example has a line `X=…` or `# X=…`. A source line containing
# `check-env: ignore` is skipped.
# Settings are read once, in the binary: in a tree with cli/src/, a call `env::var(…)` or `env::var_os(…)` in any
# other crate's src/ (tests, benches and examples aside) fails too.
set -euo pipefail

scan() {
  local root=$1
  # Rust: print "NAME<TAB>file:line" for each read.
  find "$root" \( -name target -o -name node_modules -o -name .git \) -prune -o \
    -type f -name '*.rs' -path '*/src/*' -print 2>/dev/null |
    grep -Ev '/(tests|benches|examples)/|/tests\.rs$|_tests\.rs$' |
    LC_ALL=C sort |
    while IFS= read -r f; do printf '%s\0' "$f"; done |
    xargs -0 -r perl -e '
      my $name = qr/([A-Z][A-Z0-9_]*)/;
      for my $file (@ARGV) {
        open(my $fh, "<", $file) or die "$file: $!";
        my @lines = <$fh>;
        close $fh;
        # Blank whole-line comments and ignored lines, keeping line numbers.
        for (@lines) { $_ = "\n" if m{^\s*//} || /check-env: ignore/; }
        my $text = join "", @lines;
        # Drop `#[cfg(test)] mod x { … }` blocks (balanced braces; else everything after the attribute).
        while ($text =~ /^[ \t]*#\[cfg\(test\)\]\s*(?:pub(?:\([^)]*\))?\s+)?mod\s+\w+\s*(\{(?:[^{}]++|(?1))*\})/m) {
          my ($s, $e) = ($-[0], $+[0]);
          my $gone = substr($text, $s, $e - $s);
          (my $keep = $gone) =~ s/[^\n]//g;
          substr($text, $s, $e - $s) = $keep;
        }
        if ($text =~ /^[ \t]*#\[cfg\(test\)\]\s*(?:pub(?:\([^)]*\))?\s+)?mod\s+\w+\s*\{/m) {
          substr($text, $-[0]) = "";
        }
        my %seen;
        my $emit = sub {
          my ($n, $pos) = @_;
          my $line = 1 + (substr($text, 0, $pos) =~ tr/\n//);
          print "$n\t$file:$line\n" unless $seen{"$n:$line"}++;
        };
        while ($text =~ /\benv::var(?:_os)?\(\s*"$name"\s*,?\s*\)/g) { $emit->($1, $-[0]) }
        while ($text =~ /\benv\s*=\s*"$name"/g) { $emit->($1, $-[0]) }
        while ($text =~ /\.env\(\s*"$name"\s*,?\s*\)/g) { $emit->($1, $-[0]) }
        while ($text =~ /\b(?:option_)?env!\(\s*"$name"/g) { $emit->($1, $-[0]) unless $1 =~ /^CARGO_/ }
        if ($text =~ /\benv::var(?:_os)?\(\s*[^"\s)]/ || $text =~ /\bfn\s+from_lookup\b/) {
          while ($text =~ /\b[a-z_][a-z0-9_]*\(\s*"$name"\s*,?\s*\)/g) { $emit->($1, $-[0]) }
        }
      }
    '
  # Front end (Vite exposes VITE_* variables to the bundle at build time).
  if [ -d "$root/frontend" ]; then
    find "$root/frontend" -name node_modules -prune -o -name dist -prune -o -type f \
      \( -path "$root/frontend/src/*" -o -path "$root/frontend/*.ts" -o -path "$root/frontend/*.js" \) \
      \( -name '*.ts' -o -name '*.js' -o -name '*.vue' -o -name '*.tsx' \) -print 2>/dev/null |
      LC_ALL=C sort |
      while IFS= read -r f; do
        grep -noE 'import\.meta\.env\.VITE_[A-Z0-9_]+' "$f" 2>/dev/null |
          sed -E "s|^([0-9]+):import\.meta\.env\.(VITE_[A-Z0-9_]+)$|\2\t$f:\1|" || true
      done
  fi
}

check() {
  local root=$1 example="$1/.env.example"
  [ -f "$example" ] || { echo "check-env: $example is missing" >&2; return 1; }
  local reads names missing=()
  reads=$(scan "$root")
  names=$(printf '%s\n' "$reads" | cut -f1 | grep -v '^$' | LC_ALL=C sort -u || true)
  echo "check-env: the code reads $(printf '%s\n' "$names" | grep -c . || true) variables:" $names
  for n in $names; do
    grep -qE "^(# ?)?${n}=" "$example" || missing+=("$n")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "check-env: FAIL: read by the code but not listed in .env.example (add \`NAME=default\` with a comment):" >&2
    for n in "${missing[@]}"; do
      printf '%s\n' "$reads" | awk -F'\t' -v n="$n" '$1 == n { print "  " n "  (" $2 ")" }' | sed "s|$root/||" >&2
    done
    return 1
  fi
  echo "check-env: ok, every one is listed in .env.example"
  if [ -d "$root/cli/src" ]; then
    local outside
    outside=$(cd "$root" && find . \( -name target -o -name node_modules -o -name .git \) -prune -o \
      -type f -name '*.rs' -path '*/src/*' -print | grep -Ev '^\./cli/|/(tests|benches|examples)/' | LC_ALL=C sort |
      xargs -r grep -nE '\benv::var(_os)?\(' | grep -v 'check-env: ignore' || true)
    if [ -n "$outside" ]; then
      echo "check-env: FAIL: only the binary (cli/) reads the environment; a library crate does here:" >&2
      printf '%s\n' "$outside" | sed 's/^/  /' >&2
      return 1
    fi
    echo "check-env: ok, only cli/ reads the environment"
  fi
}

self_test() {
  local t
  t=$(mktemp -d)
  trap 'rm -rf "$t"' RETURN
  mkdir -p "$t/app/src/nested" "$t/app/tests" "$t/app/benches" "$t/frontend/src"
  cat >"$t/app/src/main.rs" <<'EOF'
fn main() {
    let _ = std::env::var("LISTED_PLAIN");
    let _ = env::var_os("UNLISTED_OS");
    let _ = std::env::var(
        "UNLISTED_SPLIT",
    );
    let _ = env!("CARGO_PKG_VERSION");
    let _ = option_env!("UNLISTED_BUILD");
    // let _ = std::env::var("COMMENTED_OUT");
    let _ = std::env::var("IGNORED_ON_PURPOSE"); // check-env: ignore
}
#[derive(clap::Parser)]
struct Args {
    #[arg(long, env = "UNLISTED_CLAP")]
    bind: String,
}
#[cfg(test)]
mod tests {
    fn f() { let _ = std::env::var("TEST_ONLY_IN_MODULE"); let s = format!("{{}}"); }
}
EOF
  cat >"$t/app/src/nested/settings.rs" <<'EOF'
pub fn from_env() -> Option<String> {
    let var = |k: &str| std::env::var(k).ok();
    var("UNLISTED_VIA_CLOSURE").or_else(|| var("LISTED_COMMENTED"))
}
EOF
  cat >"$t/app/src/nested/lookup.rs" <<'EOF'
pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Option<String> {
    get("UNLISTED_VIA_LOOKUP")
}
EOF
  echo 'fn t() { let _ = std::env::var("TEST_ONLY_IN_TESTS_DIR"); }' >"$t/app/tests/it.rs"
  echo 'fn b() { let _ = std::env::var("BENCH_ONLY"); }' >"$t/app/benches/b.rs"
  echo 'export const url = import.meta.env.VITE_UNLISTED_API ?? import.meta.env.MODE' >"$t/frontend/src/api.ts"
  printf '# A comment\nLISTED_PLAIN=1\n# LISTED_COMMENTED=\n' >"$t/.env.example"

  local out status=0
  out=$(check "$t" 2>&1) || status=$?
  local want_missing="UNLISTED_OS UNLISTED_SPLIT UNLISTED_BUILD UNLISTED_CLAP UNLISTED_VIA_CLOSURE UNLISTED_VIA_LOOKUP"
  want_missing+=" VITE_UNLISTED_API"
  local not_reads="CARGO_PKG_VERSION COMMENTED_OUT IGNORED_ON_PURPOSE TEST_ONLY_IN_MODULE TEST_ONLY_IN_TESTS_DIR"
  not_reads+=" BENCH_ONLY"
  local ok=1
  [ "$status" = 1 ] || { echo "self-test: expected exit 1 with unlisted variables, got $status" >&2; ok=0; }
  for n in $want_missing; do
    grep -q "^  $n " <<<"$out" || { echo "self-test: $n should be reported missing" >&2; ok=0; }
  done
  for n in $not_reads LISTED_PLAIN LISTED_COMMENTED; do
    ! grep -q "^  $n " <<<"$out" || { echo "self-test: $n should not be reported missing" >&2; ok=0; }
  done
  for n in $not_reads; do
    ! grep -qw "$n" <<<"$out" || { echo "self-test: $n should not count as a read" >&2; ok=0; }
  done
  # Listing the rest makes it pass.
  for n in $want_missing; do echo "$n=" >>"$t/.env.example"; done
  check "$t" >/dev/null 2>&1 || { echo "self-test: expected success once every variable is listed" >&2; ok=0; }
  if [ "$ok" = 1 ]; then
    echo "check-env self-test: ok (unlisted reads fail, listed/test/bench/CARGO_* reads pass)"
  else
    printf '%s\n' "--- output of the failing run:" "$out" >&2
    return 1
  fi
}

case "${1:-}" in
  --self-test) self_test ;;
  -h | --help) sed -n '2,15p' "$0" ;;
  *) check "$(cd "${1:-$(dirname "$0")/..}" && pwd)" ;;
esac
