# Shared by the bin/ launchers: locate the project and build a module's runnable jar on first use
# (and again whenever a source file is newer than the jar).
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# runnable_jar <module>: prints the path of <module>/target/<module>-*-all.jar, building it if needed.
runnable_jar() {
  local module="$1" jar
  jar="$(ls "$ROOT/$module"/target/"$module"-*-all.jar 2>/dev/null | head -n 1 || true)"
  # RPYC_NO_BUILD=1 (set by tests running inside a Maven build): use the jar as it is.
  if [ -n "$jar" ] && [ "${RPYC_NO_BUILD:-}" = 1 ]; then
    printf '%s\n' "$jar"
    return
  fi
  if [ -z "$jar" ] || [ -n "$(find "$ROOT" -path '*/src/main/*' -newer "$jar" -print -quit 2>/dev/null)" ] \
      || [ -n "$(find "$ROOT" -name pom.xml -newer "$jar" -print -quit 2>/dev/null)" ]; then
    echo "building $module (first use or sources changed)..." >&2
    (cd "$ROOT" && mvn -B -q -Dstyle.color=never -DskipTests -Dspotless.check.skip=true -pl "$module" -am package) >&2
    jar="$(ls "$ROOT/$module"/target/"$module"-*-all.jar | head -n 1)"
  fi
  printf '%s\n' "$jar"
}
