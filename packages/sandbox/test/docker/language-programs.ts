// Test programs per language of the multi-language image: one per status and one per hostile behaviour.
import type { Language } from '@molrl/sandbox';

/** The programs of one language (see languages.test.ts for what each must produce). */
export interface LanguageCase {
  language: Language;
  compiled: boolean;
  /** Reads two integers from stdin and prints their sum. */
  ok: string;
  syntaxError: string;
  /** What the compiler (or interpreter) says about syntaxError. */
  syntaxMessage: RegExp;
  exit3: string;
  loop: string;
  balloon: string;
  flood: string;
  /** Dies by the signal `signalName`. */
  signal: string;
  signalName: string;
  forkBomb: string;
  /** Leaves a `sleep 300` in its own session (after setsid has run: it waits for the flag), prints "left". */
  escape: string;
  /** Tries to write /opt/molrl/runner.py, /molrl-x and /etc/molrl-x; prints "denied" or "WROTE" for each. */
  writeOutside: string;
}

/** Starts the escapee in its own session; it writes /tmp/escaped only after setsid ran. */
const ESCAPE = "setsid sh -c 'echo > /tmp/escaped; exec sleep 300' >/dev/null 2>&1 &";
const LINE = 'x'.repeat(32);

const C_WRITE = `#include <stdio.h>
int main() { const char *p[] = {"/opt/molrl/runner.py", "/molrl-x", "/etc/molrl-x"};
  for (int i = 0; i < 3; i++) { FILE *f = fopen(p[i], "a"); printf(i ? " %s" : "%s", f ? "WROTE" : "denied"); if (f) fclose(f); }
  printf("\\n"); return 0; }`;
const C_ESCAPE = `#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
int main() { if (system("${ESCAPE}") != 0) return 1; while (access("/tmp/escaped", F_OK) != 0) usleep(1000); puts("left"); return 0; }`;
const C_FORK_BOMB = '#include <unistd.h>\nint main() { for (;;) fork(); }';
const C_LOOP = 'int main() { volatile unsigned long x = 0; for (;;) x++; }';

const NODE = {
  ok: "const [a, b] = require('fs').readFileSync(0, 'utf8').trim().split(/\\s+/).map(Number);\nconsole.log(a + b);",
  exit3: 'process.exit(3);',
  loop: 'for (;;) {}',
  flood: `for (;;) console.log('${LINE}');`,
  signal: "process.kill(process.pid, 'SIGKILL');",
  signalName: 'SIGKILL',
  forkBomb: "const { spawn } = require('child_process');\nfor (;;) { try { spawn('sh', ['-c', 'sleep 100']); } catch (e) {} }",
  escape: `const { execSync } = require('child_process');\nconst fs = require('fs');\nexecSync(${JSON.stringify(ESCAPE)});\nwhile (!fs.existsSync('/tmp/escaped')) {}\nconsole.log('left');`,
  writeOutside:
    "const fs = require('fs');\nconsole.log(['/opt/molrl/runner.py', '/molrl-x', '/etc/molrl-x'].map((p) => { try { fs.closeSync(fs.openSync(p, 'a')); return 'WROTE'; } catch (e) { return 'denied'; } }).join(' '));",
};

export const HOSTILE: LanguageCase[] = [
  {
    language: 'c',
    compiled: true,
    ok: '#include <stdio.h>\nint main() { int a, b; if (scanf("%d %d", &a, &b) != 2) return 1; printf("%d\\n", a + b); return 0; }',
    syntaxError: 'int main() { return 0 }',
    syntaxMessage: /error: expected .;. before .}. token/,
    exit3: 'int main() { return 3; }',
    loop: C_LOOP,
    balloon: '#include <stdlib.h>\n#include <string.h>\nint main() { for (;;) { char *p = malloc(1 << 20); memset(p, 1, 1 << 20); } }',
    flood: `#include <stdio.h>\nint main() { for (;;) puts("${LINE}"); }`,
    signal: '#include <signal.h>\nint main() { raise(SIGSEGV); return 0; }',
    signalName: 'SIGSEGV',
    forkBomb: C_FORK_BOMB,
    escape: C_ESCAPE,
    writeOutside: C_WRITE,
  },
  {
    language: 'cpp',
    compiled: true,
    ok: '#include <iostream>\nint main() { long a, b; std::cin >> a >> b; std::cout << a + b << std::endl; }',
    syntaxError: 'int main() { return 0 }',
    syntaxMessage: /error: expected .;. before .}. token/,
    exit3: '#include <cstdlib>\nint main() { std::exit(3); }',
    loop: C_LOOP,
    balloon: "#include <vector>\nint main() { std::vector<std::vector<char>> v; for (;;) v.emplace_back(1 << 20, 'x'); }",
    flood: `#include <iostream>\nint main() { for (;;) std::cout << "${LINE}\\n"; }`,
    signal: '#include <cstdlib>\nint main() { std::abort(); }',
    signalName: 'SIGABRT',
    forkBomb: C_FORK_BOMB,
    escape: C_ESCAPE,
    writeOutside: C_WRITE,
  },
  {
    language: 'java',
    compiled: true,
    ok: 'import java.util.*;\npublic class Main { public static void main(String[] args) { Scanner s = new Scanner(System.in); System.out.println(s.nextLong() + s.nextLong()); } }',
    syntaxError: 'public class Main { public static void main(String[] a) { int x = 1 } }',
    syntaxMessage: /error: ';' expected/,
    exit3: 'public class Main { public static void main(String[] a) { System.exit(3); } }',
    loop: 'public class Main { public static void main(String[] a) { long x = 0; while (true) { x++; } } }',
    balloon: 'import java.util.*;\npublic class Main { public static void main(String[] a) { List<long[]> l = new ArrayList<>(); while (true) l.add(new long[1 << 17]); } }',
    flood: `public class Main { public static void main(String[] a) { while (true) System.out.println("${LINE}"); } }`,
    signal:
      'public class Main { public static void main(String[] a) throws Exception { new ProcessBuilder("sh", "-c", "kill -9 " + ProcessHandle.current().pid()).start().waitFor(); Thread.sleep(10000); } }',
    signalName: 'SIGKILL',
    forkBomb: 'public class Main { public static void main(String[] a) { while (true) { try { new ProcessBuilder("sh", "-c", "sleep 100").start(); } catch (Exception e) { } } } }',
    escape: `import java.io.File;\npublic class Main { public static void main(String[] a) throws Exception { new ProcessBuilder("sh", "-c", "${ESCAPE}").start().waitFor(); while (!new File("/tmp/escaped").exists()) Thread.sleep(1); System.out.println("left"); } }`,
    writeOutside:
      'import java.io.*;\npublic class Main { public static void main(String[] a) { StringBuilder b = new StringBuilder(); for (String p : new String[] {"/opt/molrl/runner.py", "/molrl-x", "/etc/molrl-x"}) { try (FileOutputStream f = new FileOutputStream(p, true)) { b.append("WROTE "); } catch (IOException e) { b.append("denied "); } } System.out.println(b.toString().trim()); } }',
  },
  {
    language: 'go',
    compiled: true,
    ok: 'package main\nimport "fmt"\nfunc main() { var a, b int64; fmt.Scan(&a, &b); fmt.Println(a + b) }',
    syntaxError: 'package main\nfunc main() { x := }',
    syntaxMessage: /syntax error/,
    exit3: 'package main\nimport "os"\nfunc main() { os.Exit(3) }',
    loop: 'package main\nfunc main() { for {} }',
    balloon: 'package main\nfunc main() { var s [][]byte; for { b := make([]byte, 1<<20); for i := range b { b[i] = 1 }; s = append(s, b) } }',
    flood: `package main\nimport "fmt"\nfunc main() { for { fmt.Println("${LINE}") } }`,
    signal: 'package main\nimport "syscall"\nfunc main() { syscall.Kill(syscall.Getpid(), syscall.SIGKILL); for {} }',
    signalName: 'SIGKILL',
    forkBomb: 'package main\nimport "os/exec"\nfunc main() { for { exec.Command("sh", "-c", "sleep 100").Start() } }',
    escape: `package main\nimport (\n\t"fmt"\n\t"os"\n\t"os/exec"\n\t"time"\n)\nfunc main() {\n\texec.Command("sh", "-c", "${ESCAPE}").Run()\n\tfor {\n\t\tif _, err := os.Stat("/tmp/escaped"); err == nil {\n\t\t\tbreak\n\t\t}\n\t\ttime.Sleep(time.Millisecond)\n\t}\n\tfmt.Println("left")\n}`,
    writeOutside:
      'package main\nimport (\n\t"fmt"\n\t"os"\n\t"strings"\n)\nfunc main() {\n\tvar out []string\n\tfor _, p := range []string{"/opt/molrl/runner.py", "/molrl-x", "/etc/molrl-x"} {\n\t\tif f, err := os.OpenFile(p, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0644); err != nil {\n\t\t\tout = append(out, "denied")\n\t\t} else {\n\t\t\tf.Close()\n\t\t\tout = append(out, "WROTE")\n\t\t}\n\t}\n\tfmt.Println(strings.Join(out, " "))\n}',
  },
  {
    language: 'rust',
    compiled: true,
    ok: 'use std::io::Read;\nfn main() { let mut s = String::new(); std::io::stdin().read_to_string(&mut s).unwrap(); let v: Vec<i64> = s.split_whitespace().map(|x| x.parse().unwrap()).collect(); println!("{}", v[0] + v[1]); }',
    syntaxError: 'fn main() { let x = ; }',
    syntaxMessage: /error: expected expression/,
    exit3: 'fn main() { std::process::exit(3); }',
    loop: 'fn main() { loop {} }',
    balloon: 'fn main() { let mut v: Vec<Vec<u8>> = Vec::new(); loop { v.push(vec![1u8; 1 << 20]); } }',
    flood: `fn main() { loop { println!("${LINE}"); } }`,
    signal: 'fn main() { std::process::abort(); }',
    signalName: 'SIGABRT',
    forkBomb: 'fn main() { loop { let _ = std::process::Command::new("sh").arg("-c").arg("sleep 100").spawn(); } }',
    escape: `fn main() {\n    std::process::Command::new("sh").arg("-c").arg("${ESCAPE}").status().unwrap();\n    while !std::path::Path::new("/tmp/escaped").exists() { std::thread::sleep(std::time::Duration::from_millis(1)); }\n    println!("left");\n}`,
    writeOutside:
      'use std::fs::OpenOptions;\nfn main() { let r: Vec<&str> = ["/opt/molrl/runner.py", "/molrl-x", "/etc/molrl-x"].iter().map(|p| if OpenOptions::new().append(true).create(true).open(p).is_ok() { "WROTE" } else { "denied" }).collect(); println!("{}", r.join(" ")); }',
  },
  {
    language: 'nodejs',
    compiled: false,
    ...NODE,
    syntaxError: 'console.log(1 +);',
    syntaxMessage: /SyntaxError/,
    balloon: 'const a = [];\nfor (;;) a.push(new Array(1 << 17).fill(1.5));',
  },
  {
    language: 'typescript',
    compiled: true,
    ...NODE,
    ok: "const [a, b]: number[] = require('fs').readFileSync(0, 'utf8').trim().split(/\\s+/).map(Number);\nconsole.log(a + b);",
    syntaxError: 'const x: number = ;',
    syntaxMessage: /main\.ts\(1,19\): error TS1109: Expression expected/,
    balloon: 'const a: number[][] = [];\nfor (;;) a.push(new Array(1 << 17).fill(1.5));',
  },
  {
    language: 'bash',
    compiled: false,
    ok: 'read a b\necho $((a + b))',
    syntaxError: 'if then fi',
    syntaxMessage: /syntax error/,
    exit3: 'exit 3',
    loop: 'while :; do :; done',
    balloon: 's=x\nwhile :; do s=$s$s; done',
    flood: `while :; do echo ${LINE}; done`,
    signal: 'kill -9 $$',
    signalName: 'SIGKILL',
    forkBomb: 'f() { f | f & }\nf',
    escape: `${ESCAPE}\nwhile [ ! -e /tmp/escaped ]; do :; done\necho left`,
    writeOutside: 'r=()\nfor p in /opt/molrl/runner.py /molrl-x /etc/molrl-x; do if (: >> "$p") 2>/dev/null; then r+=(WROTE); else r+=(denied); fi; done\necho "${r[@]}"',
  },
];
