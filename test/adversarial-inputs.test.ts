/**
 * The hostile-input catalogue, round two: files that are not what they claim (FIFOs, devices, links,
 * /proc files, oversized YAML, brace bombs), text that would drive a terminal or a rendered report,
 * values and rules whose cost grows without bound, and outputs that would lose data. Each case
 * crashed, hung, leaked or lost a report before its defence; each now gets a clear error or the
 * right result (docs/security.md, "The catalogue"). Cases that need the CLI run dist/ (built first).
 */
import { expect } from 'chai';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadConfig } from '../src/config';
import { loadFile } from '../src/snapshot/file';
import { loadRules } from '../src/rules/load';
import { COLLECTIONS } from '../src/lint';
import { streamExport } from '../src/snapshot/stream';
import { MAX_INPUT_BYTES } from '../src/input-file';
import { CONTOSO, exitOf, lintAt, reportSchemaErrors, ROOT } from './adversarial-helpers';
import { brief, readInMemory, scratch } from './snapshot-helpers';

const BIN = join(ROOT, 'dist', 'src', 'cli', 'bin.js');
const MACHINES_CONTEXT = 'https://api.security.microsoft.com/api/$metadata#Machines';

/** Runs the compiled CLI in `cwd`; a hang fails the case after `timeout` ms instead of the suite. */
function cli(args: string[], cwd: string, timeout = 60_000) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', timeout, env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

function mkfifo(path: string): void {
  execFileSync('mkfifo', [path]);
}

/** A scratch folder holding a copy of the demo snapshot under `snap/`; removed after the case. */
function withDemo(run: (dir: string, snap: string) => Promise<void> | void): () => Promise<void> {
  return async () => {
    const { dir, cleanup } = scratch();
    try {
      cpSync(CONTOSO, join(dir, 'snap'), { recursive: true });
      await run(dir, join(dir, 'snap'));
    } finally {
      cleanup();
    }
  };
}

/** An MDE machines export of `n` devices (fields as the machines API writes them). */
function machines(n: number, extra: (i: number) => Record<string, unknown> = () => ({})): string {
  const value = Array.from({ length: n }, (_, i) => ({
    id: i.toString(16).padStart(40, '0'),
    computerDnsName: `host-${i}.corp.contoso.com`,
    osPlatform: 'Ubuntu',
    healthStatus: 'Active',
    lastSeen: '2026-11-26T22:00:00Z',
    onboardingStatus: 'Onboarded',
    rbacGroupId: 7,
    rbacGroupName: 'Linux',
    machineTags: ['prod', 'web'],
    ...extra(i),
  }));
  return JSON.stringify({ '@odata.context': MACHINES_CONTEXT, value });
}

/** A rule file text with the given id and body (a condition or more keys). */
function rule(id: string, body: string, head = ''): string {
  return `id: ${id}\ntitle: Generated hostile rule\nseverity: high\ndescription: A rule from a pull request.\n${head}${body}\n`;
}

/**
 * Runs `start` (which starts writing report.json) in a node process that signals itself SIGTERM
 * once the write's temporary file exists: the process must end by the signal and leave nothing.
 */
function signalledWhileWriting(start: string): void {
  const { dir, cleanup } = scratch();
  try {
    const script = `${start}
      const poll = setInterval(() => {
        if (require('node:fs').readdirSync('.').some((f) => f.endsWith('.tmp'))) { clearInterval(poll); process.kill(process.pid, 'SIGTERM'); }
      }, 1);`;
    const r = spawnSync(process.execPath, ['-e', script], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
    expect(r.signal, r.stderr).to.equal('SIGTERM');
    expect(readdirSync(dir)).to.deep.equal([]);
  } finally {
    cleanup();
  }
}

describe('adversarial inputs, round two', function () {
  this.timeout(60_000);

  describe('one reader: special files are refused on the open descriptor, never waited on', () => {
    it(
      'a FIFO named snapshot.yaml is a manifest error, not a hang',
      withDemo(async (_dir, snap) => {
        const manifest = join(snap, 'snapshot.yaml');
        execFileSync('rm', [manifest]);
        mkfifo(manifest);
        const { report } = await lintAt({ snapshot: snap });
        expect(brief(report.diagnostics.filter((d) => d.code === 'manifest-invalid'))).to.deep.equal(['error manifest-invalid snapshot.yaml']);
        expect(report.diagnostics.find((d) => d.code === 'manifest-invalid')!.message).to.equal('the manifest is a FIFO (named pipe), not a regular file; only regular files are read');
        expect(exitOf(report)).to.equal(2);
      }),
    );

    it(
      'FIFOs given by the config as rules, waivers and baseline are errors, each naming its file',
      withDemo(async (dir) => {
        for (const f of ['fifo-rule.yaml', 'waivers.yaml', 'baseline.json']) mkfifo(join(dir, f));
        writeFileSync(join(dir, 'posture-lint.yaml'), 'rules: [fifo-rule.yaml]\nwaivers: waivers.yaml\nbaseline: baseline.json\n');
        const r = cli(['lint', 'snap'], dir);
        expect(r.signal).to.equal(null);
        expect(r.code).to.equal(2);
        expect(r.stdout).to.match(/fifo-rule\.yaml +error +the rule file is a FIFO \(named pipe\), not a regular file; only regular files are read +rule-unreadable/);
        expect(r.stdout).to.match(/waivers\.yaml +error +the waivers file is a FIFO \(named pipe\)/);
        expect(r.stdout).to.match(/baseline\.json +error +cannot read baseline: the file is a FIFO \(named pipe\)/);
      }),
    );

    it('an export swapped for a FIFO after the folder was listed is a read error on both reading paths', async () => {
      const { dir, cleanup } = scratch();
      try {
        mkfifo(join(dir, 'machines.json'));
        const memory = await loadFile(join(dir, 'machines.json'), 'machines.json');
        const streamed = await loadFile(join(dir, 'machines.json'), 'machines.json', { streamThreshold: 0 });
        const ndjson = await streamExport(join(dir, 'machines.json'), 'machines.json', { format: 'ndjson' });
        for (const d of [memory.diagnostics[0], streamed.diagnostics[0], ndjson.ok ? undefined : ndjson.diagnostic]) {
          expect(d?.code).to.equal('read-error');
          expect(d?.message).to.contain('is a FIFO (named pipe), not a regular file');
        }
      } finally {
        cleanup();
      }
    });

    it('a device named as rules (/dev/zero) is refused before a byte is read; in the config it is outside its folder', async () => {
      const { rules, diagnostics } = await loadRules(['/dev/zero'], { collections: COLLECTIONS });
      expect(rules).to.deep.equal([]);
      expect(diagnostics.map((d) => `${d.code} ${d.message}`)).to.deep.equal(['rule-unreadable the rule file is a device, not a regular file; only regular files are read']);
      const { dir, cleanup } = scratch();
      try {
        writeFileSync(join(dir, 'posture-lint.yaml'), 'rules:\n  - /dev/zero\n  - /usr\n');
        const { config, diagnostics: problems } = await loadConfig(undefined, dir);
        expect(config).to.equal(undefined);
        expect(problems.map((d) => `${d.position?.line}:${d.position?.column} ${d.message}`)).to.deep.equal([
          "2:5 rules: '/dev/zero' is outside the folder of the configuration file; paths in posture-lint.yaml must stay inside its folder",
          "3:5 rules: '/usr' is outside the folder of the configuration file; paths in posture-lint.yaml must stay inside its folder",
        ]);
      } finally {
        cleanup();
      }
    });
  });

  describe('links are not followed where the file was found, and config paths stay in its folder', () => {
    it(
      'a snapshot.yaml that links to a manifest elsewhere is refused, so its promises are not trusted',
      withDemo(async (dir, snap) => {
        // A manifest outside the snapshot that would declare a fact the exports cannot prove.
        writeFileSync(join(dir, 'elsewhere.yaml'), readFileSync(join(snap, 'snapshot.yaml'), 'utf8').replace(/xdrTenantId: .*/, 'xdrTenantId: "00000000-0000-0000-0000-000000000000"'));
        execFileSync('rm', [join(snap, 'snapshot.yaml')]);
        symlinkSync(join(dir, 'elsewhere.yaml'), join(snap, 'snapshot.yaml'));
        const { report } = await lintAt({ snapshot: snap });
        const problem = report.diagnostics.find((d) => d.code === 'manifest-invalid');
        expect(problem?.message).to.equal('the manifest is a symbolic link, which posture-lint does not follow');
        expect(report.snapshot.facts.find((f) => f.name === 'xdrTenantId')?.declared).to.not.equal(true);
        expect(exitOf(report)).to.equal(2);
        // Named on the command line, the same file is the user's choice and is read.
        const { report: named } = await lintAt({ snapshot: snap, manifest: join(snap, 'snapshot.yaml') });
        expect(named.diagnostics.filter((d) => d.code === 'manifest-invalid')).to.deep.equal([]);
      }),
    );

    it('explain refuses a <rule>.md that links to another file, printing nothing of it', () => {
      const { dir, cleanup } = scratch();
      try {
        writeFileSync(join(dir, 'secret.txt'), 'AWS_SECRET_ACCESS_KEY=hunter2\n');
        mkdirSync(join(dir, 'rules'));
        writeFileSync(join(dir, 'rules', 'linked-doc.yaml'), rule('linked-doc', 'assert: { field: healthStatus, equals: Active }\nmessage: "{{computerDnsName}}"', 'for: mde.machines\n'));
        symlinkSync(join(dir, 'secret.txt'), join(dir, 'rules', 'linked-doc.md'));
        const r = cli(['explain', 'linked-doc', '--rules', 'rules', '--ruleset', 'none'], dir);
        expect(r.code).to.equal(2);
        expect(r.stdout + r.stderr).to.not.contain('hunter2');
        expect(r.stderr).to.contain("rules/linked-doc.md: the rule's docs is a symbolic link, which posture-lint does not follow");
        // Without the link, the docs fall back to the rule's own text.
        execFileSync('rm', [join(dir, 'rules', 'linked-doc.md')]);
        expect(cli(['explain', 'linked-doc', '--rules', 'rules', '--ruleset', 'none'], dir).stdout).to.contain('# linked-doc');
      } finally {
        cleanup();
      }
    });

    it('a config naming /proc/self/environ, a path outside its folder or a link out of it is refused at its line; named on the command line, nothing of the file is quoted', async () => {
      const { dir, cleanup } = scratch();
      try {
        mkdirSync(join(dir, 'repo'));
        symlinkSync('/usr', join(dir, 'repo', 'usr-link'));
        writeFileSync(join(dir, 'repo', 'posture-lint.yaml'), 'baseline: /proc/self/environ\nwaivers: ../waivers.yaml\nrules: [usr-link, ./rules/../../repo/usr-link/share]\n');
        const { config, diagnostics } = await loadConfig(undefined, join(dir, 'repo'));
        expect(config).to.equal(undefined);
        expect(diagnostics.map((d) => `${d.position?.line} ${d.message}`)).to.deep.equal([
          "3 rules: 'usr-link' goes through a symbolic link (usr-link), which posture-lint does not follow; paths in posture-lint.yaml must stay inside its folder",
          "3 rules: './rules/../../repo/usr-link/share' goes through a symbolic link (usr-link), which posture-lint does not follow; paths in posture-lint.yaml must stay inside its folder",
          "2 waivers: '../waivers.yaml' is outside the folder of the configuration file; paths in posture-lint.yaml must stay inside its folder",
          "1 baseline: '/proc/self/environ' is outside the folder of the configuration file; paths in posture-lint.yaml must stay inside its folder",
        ]);
        const r = spawnSync(process.execPath, [BIN, 'lint', CONTOSO, '--baseline', '/proc/self/environ'], {
          cwd: dir,
          encoding: 'utf8',
          env: { ...process.env, NO_COLOR: '1', POSTURE_LINT_TEST_SECRET: 'hunter2-horse' },
        });
        expect(r.status).to.equal(2);
        expect(r.stdout).to.match(/environ:1:1 +error +cannot read baseline: is not valid JSON +baseline-invalid/);
        expect(r.stdout + r.stderr).to.not.match(/hunter2|POSTURE_LINT_TEST_SECRET|PATH=/);
      } finally {
        cleanup();
      }
    });

    it('a config, waivers or manifest that is another kind of file is named as such, quoting none of its keys or values', async () => {
      const { dir, cleanup } = scratch();
      try {
        writeFileSync(join(dir, 'posture-lint.yaml'), '{"aws_secret_access_key": "hunter2-horse", "region": "eu-west-1"}\n');
        const { diagnostics } = await loadConfig(undefined, dir);
        expect(diagnostics.map((d) => d.message)).to.deep.equal([
          'the configuration is not a posture-lint configuration: it has none of the keys ruleset, rules, failOn, disable, severity, parameters, maxFindings, waivers, baseline, ignore',
        ]);
        writeFileSync(join(dir, 'waivers.yaml'), 'AWS_SECRET_ACCESS_KEY=hunter2-horse\n');
        const { report } = await lintAt({ snapshot: CONTOSO, waivers: join(dir, 'waivers.yaml') });
        const waivers = report.diagnostics.filter((d) => d.code === 'waivers-invalid').map((d) => d.message);
        expect(waivers).to.have.length(1);
        expect(waivers[0]).to.match(/^the waivers file is not a posture-lint waivers file/);
        for (const m of [...diagnostics.map((d) => d.message), ...waivers]) expect(m).to.not.match(/hunter2|aws_secret|AWS_SECRET/i);
      } finally {
        cleanup();
      }
    });
  });

  describe('size caps per kind, read no further than the cap', () => {
    const cases: [string, string, number, (dir: string, file: string) => Promise<string[]>][] = [
      ['snapshot.yaml', 'manifest', MAX_INPUT_BYTES.manifest, async (dir) => (await lintAt({ snapshot: dir })).report.diagnostics.filter((d) => d.code === 'manifest-invalid').map((d) => d.message)],
      ['posture-lint.yaml', 'config', MAX_INPUT_BYTES.config, async (dir) => (await loadConfig(undefined, dir)).diagnostics.map((d) => d.message)],
      ['waivers.yaml', 'waivers', MAX_INPUT_BYTES.waivers, async (dir, file) => (await lintAt({ snapshot: CONTOSO, waivers: file })).report.diagnostics.filter((d) => d.code === 'waivers-invalid').map((d) => d.message)],
      ['big-rule.yaml', 'rule', MAX_INPUT_BYTES.rule, async (_dir, file) => (await loadRules([file], { collections: COLLECTIONS })).diagnostics.map((d) => d.message)],
    ];
    for (const [name, kind, cap, problems] of cases) {
      it(`a ${kind} file one byte over ${cap.toLocaleString('en-US')} bytes is refused unparsed`, async () => {
        const { dir, cleanup } = scratch();
        try {
          const file = join(dir, name);
          writeFileSync(file, `# ${'x'.repeat(cap - 3)}\n`.padEnd(cap + 1, 'x'));
          expect(statSync(file).size).to.equal(cap + 1);
          const messages = await problems(dir, file);
          expect(messages).to.have.length(1);
          expect(messages[0]).to.match(new RegExp(`is larger than the ${cap.toLocaleString('en-US')} bytes a ${kind} file may have`));
        } finally {
          cleanup();
        }
      });
    }
  });

  describe('manifest patterns whose braces would expand without bound', () => {
    const bombs = [
      ['three ranges of a thousand', '{1..1000}{1..1000}{1..1000}.json', 'expands to more than 1000 patterns'],
      ['nested alternatives', `${'{a,b}'.repeat(11)}.json`, 'expands to more than 1000 patterns'],
      ['a range with a step', 'page-{1..100000..10}.json', 'expands to more than 1000 patterns'],
      ['a letter range times a number range', '{a..z}{1..99}.json', 'expands to more than 1000 patterns'],
      ['a pattern 600 characters long', `${'a/'.repeat(300)}*.json`, 'is longer than 500 characters'],
    ];
    for (const [what, pattern, message] of bombs) {
      it(`${what}: an error at the pattern, the rest of the manifest applies`, async () => {
        const { dir, cleanup } = scratch();
        try {
          cpSync(CONTOSO, dir, { recursive: true });
          const manifest = readFileSync(join(dir, 'snapshot.yaml'), 'utf8').replace('  - kind: mde.machines\n', `  - kind: mde.machines\n    files: ['${pattern}']\n`);
          writeFileSync(join(dir, 'snapshot.yaml'), manifest);
          const { report } = await lintAt({ snapshot: dir });
          const problems = report.diagnostics.filter((d) => d.code === 'manifest-invalid');
          expect(problems.map((d) => d.message)).to.deep.equal([`files pattern ${message}; match the export's files with '*' instead`]);
          expect(problems[0].position?.line).to.equal(manifest.split('\n').findIndex((l) => l.includes('files:')) + 1);
          // The manifest's other promises still hold: its fact is declared.
          expect(report.snapshot.facts.find((f) => f.name === 'xdrTenantId')?.declared).to.equal(true);
          expect(exitOf(report)).to.equal(2);
        } finally {
          cleanup();
        }
      });
    }

    it('an honest pattern with braces maps its files as before', async () => {
      const { dir, cleanup } = scratch();
      try {
        cpSync(CONTOSO, dir, { recursive: true });
        const manifest = readFileSync(join(dir, 'snapshot.yaml'), 'utf8').replace('  - kind: mde.machines\n', "  - kind: mde.machines\n    files: ['mde/{machines,devices}*.json']\n");
        writeFileSync(join(dir, 'snapshot.yaml'), manifest);
        const { report } = await lintAt({ snapshot: dir });
        expect(report.diagnostics.filter((d) => d.severity === 'error')).to.deep.equal([]);
      } finally {
        cleanup();
      }
    });
  });

  describe('no command prints a raw control sequence', () => {
    /** Sequences that set the terminal title, clear the screen, hide text, and a bidi override. */
    const ESC = '\u001b]0;pwned\u0007\u001b[2J\u001b[8m';
    const BIDI = '\u202e\u2066\u200f\u061c';
    const raw = /[\u001b\u0007\u009b\u202e\u2066\u200f\u061c\r]/;

    /** A rules folder whose rule title, description and doc, file name and test case hold escapes. */
    function hostileRules(dir: string): void {
      mkdirSync(join(dir, 'rules'));
      const text = rule('esc-rule', 'assert: { field: healthStatus, equals: NotAStatus }\nmessage: "{{computerDnsName}}"', 'for: mde.machines\n')
        .replace('title: Generated hostile rule', `title: "Title ${ESC.replace(/\u001b/g, '\\e').replace(/\u0007/g, '\\a')}${BIDI}"`);
      writeFileSync(join(dir, 'rules', 'esc-rule.yaml'), text);
      writeFileSync(join(dir, 'rules', 'esc-rule.md'), `# esc-rule\n\nDocs ${ESC}${BIDI}\r overwritten\n`);
      writeFileSync(join(dir, 'rules', `bad${ESC}.yaml`), 'id: [unclosed\n');
    }

    const commands: [string, (dir: string) => string[]][] = [
      ['validate', () => ['validate', 'rules']],
      ['rules', () => ['rules', '--rules', 'rules/esc-rule.yaml', '--ruleset', 'none']],
      ['explain', () => ['explain', 'esc-rule', '--rules', 'rules/esc-rule.yaml', '--ruleset', 'none']],
      ['config errors', (dir) => (writeFileSync(join(dir, 'c.yaml'), `disable: ["x${ESC.replace(/\u001b/g, '\\e').replace(/\u0007/g, '\\a')}"]\n`), ['rules', '--config', 'c.yaml'])],
      ['baseline create', () => ['baseline', 'create', CONTOSO, '--output', `out${ESC}.json`]],
      ['test', () => ['test', 'rules/esc-rule.yaml']],
      ['usage errors', () => [`lint${ESC}`]],
      ['unknown format', () => ['lint', CONTOSO, '--format', `json${ESC}`]],
    ];
    for (const [name, args] of commands) {
      it(`${name} shows them as \\u escapes`, () => {
        const { dir, cleanup } = scratch();
        try {
          hostileRules(dir);
          if (name === 'test') {
            mkdirSync(join(dir, 'rules', 'esc-rule.tests', `case${ESC}`), { recursive: true });
            writeFileSync(join(dir, 'rules', 'esc-rule.tests', `case${ESC}`, 'case.yaml'), `description: "d ${BIDI}"\nexpect: { status: passed }\n`);
          }
          const r = cli(args(dir), dir);
          expect(r.stdout + r.stderr).to.not.match(raw);
          expect(r.stdout + r.stderr).to.match(/\\u001b|\\u202e/);
        } finally {
          cleanup();
        }
      });
    }

    it('the stylish report keeps its own colours and escapes the rest', () => {
      const { dir, cleanup } = scratch();
      try {
        hostileRules(dir);
        execFileSync('rm', [join(dir, 'rules', `bad${ESC}.yaml`)]);
        const r = cli(['lint', CONTOSO, '--ruleset', 'none', '--rules', 'rules', '--color'], dir);
        expect(r.stdout).to.contain('\u001b[1m');
        expect(r.stdout.replace(/\u001b\[\d+m/g, '')).to.not.match(raw);
      } finally {
        cleanup();
      }
    });
  });

  describe('no export value is read as a command by the CI runner whose log shows it', () => {
    /**
     * What a runner would act on in a step's log. Azure Pipelines: a line holding `##vso[` anywhere,
     * or the `##[command]` form (Microsoft Learn, "Logging commands": the agent scans each line of
     * stdout and stderr; its parser takes `message.IndexOf("##vso[")`). GitHub Actions: a line whose
     * text after leading whitespace starts with `::` ("Workflow commands for GitHub Actions").
     */
    function runnerCommands(log: string): { azure: string[]; github: string[] } {
      const lines = log.split(/\r\n|\r|\n/);
      return { azure: lines.filter((l) => /##(vso)?\[/i.test(l)), github: lines.filter((l) => l.trim().startsWith('::')) };
    }
    const HOSTILE: Record<string, string> = {
      'dev-data-01': '::error file=README.md::forged ##vso[task.setvariable variable=GATE]open',
      'app-prod-02': '\u00a0##vso[task.complete result=Succeeded;]done ##[error]legacy',
    };

    it(
      'stylish (the Azure DevOps example prints it) and github show device names holding ##vso[, ##[ and a leading :: as text',
      withDemo(async (dir, snap) => {
        const file = join(snap, 'mde', 'machines.page-1.json');
        const page = JSON.parse(readFileSync(file, 'utf8')) as { value: { computerDnsName: string }[] };
        for (const m of page.value) m.computerDnsName = HOSTILE[m.computerDnsName] ?? m.computerDnsName;
        writeFileSync(file, JSON.stringify(page));
        const stylish = cli(['lint', 'snap'], dir);
        expect(stylish.stdout).to.contain('Succeeded;]done');
        expect(runnerCommands(stylish.stdout + stylish.stderr)).to.deep.equal({ azure: [], github: [] });
        // The github format's own annotations are its only commands: as many as on the demo as it is.
        const ours = runnerCommands(cli(['lint', CONTOSO, '--format', 'github'], dir).stdout);
        const github = cli(['lint', 'snap', '--format', 'github'], dir);
        expect(github.stdout).to.contain('forged');
        const commands = runnerCommands(github.stdout + github.stderr);
        expect(commands.azure).to.deep.equal([]);
        const kind = (l: string) => l.slice(0, l.indexOf('::', 2)).replace(/file=[^,]*,/, '');
        expect(commands.github.map(kind)).to.deep.equal(ours.github.map(kind));
      }),
    );

    it('rule text from a pull request whose lines start with :: is no command in what any command prints, only github\'s own annotations are', () => {
      // The one terminal sanitiser escapes a leading `::` on every line; only the github format,
      // which escapes its data itself, writes its annotations as they are.
      const { dir, cleanup } = scratch();
      try {
        const text = rule('pr-rule', 'assert: { field: healthStatus, equals: NotAStatus }\nmessage: "{{computerDnsName}}"', 'for: mde.machines\n')
          .replace('description: A rule from a pull request.', 'description: "A rule.\\n::error title=forged::description\\n   ::add-mask::masked"\nremediation: "Fix.\\n::warning::remediation"');
        writeFileSync(join(dir, 'pr-rule.yaml'), text);
        const rules = ['--rules', 'pr-rule.yaml', '--ruleset', 'none'];
        const runs: [string, string[]][] = [
          ['explain', ['explain', 'pr-rule', ...rules]],
          ['rules', ['rules', ...rules]],
          ...['stylish', 'markdown', 'html', 'junit', 'sarif', 'json'].map((f): [string, string[]] => [`lint --format ${f}`, ['lint', CONTOSO, ...rules, '--format', f]]),
        ];
        for (const [name, args] of runs) {
          const r = cli(args, dir);
          expect(r.stdout + r.stderr, name).to.not.equal('');
          expect(runnerCommands(r.stdout + r.stderr), name).to.deep.equal({ azure: [], github: [] });
        }
        expect(cli(['explain', 'pr-rule', ...rules], dir).stdout).to.contain('\\u003a:error title=forged::description');
        const github = runnerCommands(cli(['lint', CONTOSO, ...rules, '--format', 'github'], dir).stdout).github;
        expect(github.length).to.be.above(1);
        expect(github.every((l) => /^::(error|warning|notice) /.test(l))).to.equal(true);
      } finally {
        cleanup();
      }
    });

    it('validate names a rule file called ::error …:: without starting a workflow command', () => {
      const { dir, cleanup } = scratch();
      try {
        writeFileSync(join(dir, '::error title=forged::x.yaml'), 'id: [unclosed\n');
        const r = cli(['validate', '.'], dir);
        expect(r.code).to.equal(2);
        expect(r.stdout + r.stderr).to.contain('forged');
        expect(runnerCommands(r.stdout + r.stderr)).to.deep.equal({ azure: [], github: [] });
      } finally {
        cleanup();
      }
    });
  });

  describe('rule text reaches rendered reports as inert markup', () => {
    const HOSTILE = [
      'See ![pixel](https://evil.example/p.png) and [docs](javascript:alert(1)) <img src=x onerror=alert(1)> <b>bold</b>',
      'Bare https://evil.example/phish and www.evil.example, mail ops@evil.example, GH-1 and #12 and @octocat',
      `Bidi \u202eevil\u202c marks \u200e\u200f\u061c`,
    ].join('\n');

    async function hostileReport(dir: string, references: string[]) {
      writeFileSync(
        join(dir, 'markup-rule.yaml'),
        `id: markup-rule\ntitle: "Title [x](https://evil.example) GH-2"\nseverity: high\nfor: mde.machines\ndescription: ${JSON.stringify(HOSTILE)}\nrationale: ${JSON.stringify(HOSTILE)}\nremediation: ${JSON.stringify(HOSTILE)}\nreferences: ${JSON.stringify(references)}\nassert: { field: healthStatus, equals: NotAStatus }\nmessage: "{{computerDnsName}} see https://evil.example/x GH-3 \u200e"\n`,
      );
      const { report, rules } = await lintAt({ snapshot: CONTOSO, ruleset: 'none', rules: [join(dir, 'markup-rule.yaml')] });
      expect(report.diagnostics.filter((d) => d.severity === 'error')).to.deep.equal([]);
      return { report, context: { rules, color: false } };
    }

    it('SARIF help.markdown has no image, link, HTML or autolink, and helpUri is the first https reference', async () => {
      const { sarif } = await import('../src/report/formatters/sarif');
      const { dir, cleanup } = scratch();
      try {
        for (const [references, helpUri] of [
          [['javascript:alert(1)', 'http://plain.example/x', 'https://learn.microsoft.com/defender-endpoint/x'], 'https://learn.microsoft.com/defender-endpoint/x'],
          [['data:text/html,<script>alert(1)</script>', 'https://user:pw@evil.example/'], undefined],
        ] as [string[], string | undefined][]) {
          const { report, context } = await hostileReport(dir, references);
          const rule = JSON.parse(sarif(report, context)).runs[0].tool.driver.rules[0];
          expect(rule.helpUri).to.equal(helpUri);
          const [md, refs] = (rule.help.markdown as string).split('**References**');
          // Every bracket escaped (no link or image opens), no tag, no autolink, no bidi control.
          expect(md).to.not.match(/(?<!\\)[[\]]|<img|<b>|https:\/\/evil|www\.evil|ops@evil|GH-1|#12|@octocat|[\u202e\u200e\u200f\u061c]/);
          // The only links are the https references posture-lint writes itself.
          expect([...refs.matchAll(/(?<!\\)\]\(([^)]*)\)/g)].map((m) => m[1])).to.deep.equal(helpUri === undefined ? [] : [helpUri]);
          expect(`${rule.shortDescription.text}${rule.fullDescription.text}${rule.help.text}`).to.not.match(/[\u202e\u200e\u200f\u061c]/);
        }
      } finally {
        cleanup();
      }
    });

    it('markdown reports break autolinks of bare URLs, GH-1 references and mentions; HTML links only https references', async () => {
      const { markdown } = await import('../src/report/formatters/markdown');
      const { html } = await import('../src/report/formatters/html');
      const { dir, cleanup } = scratch();
      try {
        const { report, context } = await hostileReport(dir, ['http://plain.example/x', 'javascript:alert(1)', 'https://learn.microsoft.com/x']);
        const md = markdown(report, context);
        expect(md).to.contain('see https:\u200b//evil.example/x GH\u200b-3 \\\\u200e');
        expect(md).to.not.match(/https:\/\/evil|GH-[23]|\[x\]\(|[\u200e\u202e]/);
        const page = html(report, context);
        expect([...page.matchAll(/<a href="([^"#]*)"/g)].map((m) => m[1])).to.deep.equal(['https://learn.microsoft.com/x']);
        expect(page).to.not.match(/[\u200e\u202e\u061c]/);
      } finally {
        cleanup();
      }
    });
  });

  describe('what one finding can cost is capped', () => {
    it('a 313 kB rule that prints a 300,000-character parameter 1,000 times renders each message cut at 4,096 characters', async () => {
      const { dir, cleanup } = scratch();
      try {
        const file = join(dir, 'param-bomb.yaml');
        writeFileSync(
          file,
          rule('param-bomb', `parameters:\n  blob: { type: string, default: "${'x'.repeat(300_000)}" }\nassert: { field: healthStatus, equals: NotAStatus }\nmessage: "${'{{$params.blob}}'.repeat(1_000)}"`, 'for: mde.machines\n'),
        );
        expect(statSync(file).size).to.be.above(300_000);
        const { report } = await lintAt({ snapshot: CONTOSO, ruleset: 'none', rules: [file] });
        expect(report.findings.length).to.be.above(0);
        expect(report.findings.every((f) => f.message === `${'x'.repeat(4_096)}… (cut at 4,096 characters)`)).to.equal(true);
        expect(report.diagnostics.map((d) => d.code)).to.include('message-cut');
      } finally {
        cleanup();
      }
    });

    it('a 20 MB device name is shown cut in stylish, JUnit, markdown and GitHub annotations, and whole in JSON', async () => {
      const { formatterNames, getFormatter } = await import('../src/report/formatters');
      const { dir, cleanup } = scratch();
      try {
        const huge = `${'h'.repeat(20 * 1024 * 1024)}.corp.contoso.com`;
        writeFileSync(join(dir, 'machines.json'), machines(3, (i) => (i === 1 ? { computerDnsName: huge, healthStatus: 'Inactive' } : { healthStatus: 'Inactive' })));
        const { report, rules } = await lintAt({ snapshot: dir, ruleset: 'none', rules: ['rules/mde-device-healthy.yaml'] });
        expect(report.findings.map((f) => f.resource.name?.length)).to.include(huge.length);
        const sizes: Record<string, number> = {};
        for (const name of formatterNames()) sizes[name] = getFormatter(name)!(report, { rules, color: false }).length;
        expect(sizes.json).to.be.above(huge.length);
        for (const name of ['stylish', 'junit', 'markdown', 'markdown-comment', 'github', 'sarif']) expect(sizes[name], name).to.be.below(200_000);
        const stylish = getFormatter('stylish')!(report, { rules, color: false });
        // The other rows are not padded to the huge name.
        expect(Math.max(...stylish.split('\n').filter((l) => !l.includes('hhhh')).map((l) => l.length))).to.be.below(300);
      } finally {
        cleanup();
      }
    });
  });

  describe('rule cost that grows with the square of the estate is charged to the budget', () => {
    let dir: string;
    let cleanup: () => void;
    before(() => {
      ({ dir, cleanup } = scratch());
      writeFileSync(join(dir, 'machines.json'), machines(1_000, () => ({ vmMetadata: { vmId: 'x', cloudProvider: 'Azure', resourceId: '/subscriptions/x', subscriptionId: 'y' } })));
    });
    after(() => cleanup());

    const aggregate = (id: string, satisfies: string) =>
      rule(id, `assert:\n  all: items\n  as: device\n  satisfies: ${satisfies}\nmessage: "{{key}}"`, 'for: { from: mde.machines, aggregate: true }\n');
    const cases: [string, string][] = [
      ['descent-in-aggregate-quantifier', "{ field: '$..zz', exists: false }"],
      ['descent-star-in-aggregate-quantifier', "{ field: '$..*', exists: true }"],
      ['distinct-whole-records', '{ count: items, distinct: item, less: 100000000 }'],
      ['let-distinct-whole-records', "{ count: items, as: other, where: { field: other.id, exists: true }, distinct: other, greater: 0 }"],
    ];
    for (const [id, satisfies] of cases) {
      it(`${id}: stopped by rule-budget, the other rules run`, async () => {
        writeFileSync(join(dir, `${id}.yaml`), aggregate(id, satisfies));
        const { report } = await lintAt({ snapshot: dir, ruleset: 'none', rules: [join(dir, `${id}.yaml`), 'rules/device-in-device-group.yaml'] });
        expect(brief(report.diagnostics.filter((d) => d.severity === 'error')).map((b) => b.split(' ').slice(0, 2).join(' '))).to.deep.equal(['error rule-budget']);
        expect(report.rules.map((r) => `${r.id} ${r.status}`).sort()).to.deep.equal([`${id} not-evaluated`, 'device-in-device-group passed'].sort());
        expect(reportSchemaErrors(report)).to.deep.equal([]);
      });
    }

    it('an honest rule that descends into each record once, or counts distinct records once, stays within budget', async () => {
      writeFileSync(join(dir, 'honest-descent.yaml'), rule('honest-descent', "assert: { field: '$..cloudProvider', exists: true }\nmessage: \"{{computerDnsName}}\"", 'for: mde.machines\n'));
      writeFileSync(join(dir, 'honest-distinct.yaml'), aggregate('honest-distinct', '{ field: key, exists: true }').replace('assert:', 'let:\n  unique: { select: items, distinct: item }\nwhere: { count: unique, greater: 0 }\nassert:'));
      const { report } = await lintAt({ snapshot: dir, ruleset: 'none', rules: [join(dir, 'honest-descent.yaml'), join(dir, 'honest-distinct.yaml')] });
      expect(report.diagnostics.filter((d) => d.severity === 'error')).to.deep.equal([]);
      expect(report.rules.map((r) => `${r.id} ${r.status} ${r.evaluated}`)).to.deep.equal(['honest-descent passed 1000', 'honest-distinct passed 1']);
    });
  });

  describe('no report is lost, and none replaces an input', () => {
    const refused: [string, (dir: string) => string[], RegExp][] = [
      ['an export of the snapshot', () => ['--format', 'json', '--output', 'snap/mde/alerts.json'], /--output snap\/mde\/alerts\.json is inside the snapshot folder snap/],
      ['a new file in the snapshot folder', () => ['--format', 'sarif', '--output', 'snap/report.sarif'], /is inside the snapshot folder snap/],
      ['the snapshot folder through a link', (dir) => (symlinkSync(join(dir, 'snap'), join(dir, 'link')), ['--format', 'json', '--output', 'link/r.json']), /is inside the snapshot folder snap/],
      ['the config', () => ['--format', 'json', '--output', 'posture-lint.yaml'], /--output posture-lint\.yaml is posture-lint\.yaml, which this run reads/],
      ['the waivers', () => ['--waivers', 'waivers.yaml', '--format', 'json', '--output', './waivers.yaml'], /is waivers\.yaml, which this run reads/],
      ['a rule file in a rules folder', () => ['--rules', 'rules', '--format', 'json', '--output', 'rules/own-rule.yaml'], /is .*own-rule\.yaml, which this run reads/],
      ['a conditions file in a rules folder', (dir) => (writeFileSync(join(dir, 'rules', 'own.conditions.yaml'), 'conditions:\n  prod:\n    description: Production.\n    condition: { field: id, exists: true }\n'), ['--rules', 'rules', '--format', 'json', '--output', 'rules/own.conditions.yaml']), /is .*own\.conditions\.yaml, which this run reads/],
      ['a hard link to the baseline', (dir) => (execFileSync('ln', [join(dir, 'baseline.json'), join(dir, 'hard.json')]), ['--baseline', 'baseline.json', '--format', 'json', '--output', 'hard.json']), /is baseline\.json, which this run reads/],
      ['two formats to one file', () => ['--format', 'json', '--output', 'r.json', '--format', 'sarif', '--output', './r.json'], /--output r\.json and --output \.\/r\.json are the same file/],
      ['two formats to one file through a link', (dir) => (writeFileSync(join(dir, 'r.json'), ''), symlinkSync(join(dir, 'r.json'), join(dir, 'r-link.json')), ['--format', 'json', '--output', 'r.json', '--format', 'html', '--output', 'r-link.json']), /are the same file/],
    ];
    for (const [what, args, message] of refused) {
      it(
        `--output onto ${what} is a usage error, and nothing is written`,
        withDemo((dir, snap) => {
          writeFileSync(join(dir, 'posture-lint.yaml'), 'ruleset: recommended\n');
          writeFileSync(join(dir, 'waivers.yaml'), 'waivers: []\n');
          mkdirSync(join(dir, 'rules'));
          writeFileSync(join(dir, 'rules', 'own-rule.yaml'), rule('own-rule', 'assert: { field: healthStatus, exists: true }\nmessage: "{{computerDnsName}}"', 'for: mde.machines\n'));
          writeFileSync(join(dir, 'baseline.json'), '{"version": 1, "tool": "posture-lint", "findings": []}\n');
          const argv = args(dir);
          const before = readdirSync(dir).sort().map((f) => `${f} ${statSync(join(dir, f)).size}`);
          const exports = readFileSync(join(snap, 'mde', 'alerts.json'), 'utf8');
          const r = cli(['lint', 'snap', ...argv], dir);
          expect(r.code).to.equal(2);
          expect(r.stderr).to.match(message);
          expect(readdirSync(dir).sort().map((f) => `${f} ${statSync(join(dir, f)).size}`)).to.deep.equal(before);
          expect(readFileSync(join(snap, 'mde', 'alerts.json'), 'utf8')).to.equal(exports);
          expect(readdirSync(snap).sort()).to.deep.equal(readdirSync(CONTOSO).sort());
        }),
      );
    }

    it(
      'baseline create may refresh the baseline the config names, but not write onto the waivers',
      withDemo((dir) => {
        writeFileSync(join(dir, 'waivers.yaml'), 'waivers: []\n');
        expect(cli(['baseline', 'create', 'snap', '--output', 'baseline.json'], dir).code).to.equal(0);
        writeFileSync(join(dir, 'posture-lint.yaml'), 'baseline: baseline.json\n');
        expect(cli(['baseline', 'create', 'snap', '--output', 'baseline.json'], dir).code).to.equal(0);
        const r = cli(['baseline', 'create', 'snap', '--waivers', 'waivers.yaml', '--output', 'waivers.yaml'], dir);
        expect(r.code).to.equal(2);
        expect(r.stderr).to.contain('--output waivers.yaml is waivers.yaml, which this run reads');
        expect(readFileSync(join(dir, 'waivers.yaml'), 'utf8')).to.equal('waivers: []\n');
      }),
    );

    it('a full disk (/dev/full) exits 2 with a clear message, on stdout and with --output', () => {
      for (const [args, stdout] of [
        [['--format', 'json'], 'full'],
        [['--format', 'json', '--output', '/dev/full'], 'pipe'],
      ] as [string[], string][]) {
        const out = stdout === 'full' ? require('node:fs').openSync('/dev/full', 'w') : 'pipe';
        const r = spawnSync(process.execPath, [BIN, 'lint', CONTOSO, ...args], { encoding: 'utf8', stdio: ['ignore', out, 'pipe'], timeout: 60_000 });
        expect(r.status, r.stderr).to.equal(2);
        expect(r.stderr).to.match(/^posture-lint: (cannot write the output: )?ENOSPC: no space left on device, write\n$/);
      }
    });

    it('a write the disk takes only part of (a file-size limit, as a disk filling up) exits 2 and keeps the old report', () => {
      const { dir, cleanup } = scratch();
      try {
        // 16 KB: the kernel takes the first 16 KB of a block without an error, then refuses the rest.
        for (const format of ['json', 'sarif', 'junit']) {
          const report = join(dir, `report.${format}`);
          writeFileSync(report, 'the last run\'s report\n');
          const r = spawnSync('sh', ['-c', 'ulimit -f 16 && exec "$0" "$@"', process.execPath, BIN, 'lint', CONTOSO, '--format', format, '--output', report], { encoding: 'utf8', timeout: 60_000 });
          expect(r.status, `${format}: ${r.stderr}`).to.equal(2);
          expect(r.stderr, format).to.match(/^posture-lint: (cannot write the output: )?EFBIG: file too large, write\n$/);
          expect(readFileSync(report, 'utf8'), format).to.equal('the last run\'s report\n');
          expect(readdirSync(dir).filter((f) => f.endsWith('.tmp')), format).to.deep.equal([]);
        }
      } finally {
        cleanup();
      }
    });

    it('a reader that stops reading (| head) ends the run quietly with exit 2, no stack trace', async () => {
      for (const format of ['sarif', 'stylish']) {
        const child = spawn(process.execPath, [BIN, 'lint', CONTOSO, '--format', format], { stdio: ['ignore', 'pipe', 'pipe'] });
        let stderr = '';
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        // The reader leaves before the report is written, as `| head -1` has by the report's second chunk.
        child.stdout.destroy();
        const code = await new Promise<number | null>((done) => child.on('close', (c) => done(c)));
        expect(stderr, format).to.equal('');
        expect(code, format).to.equal(2);
      }
    });

    it('SIGTERM while a report is being written leaves no temporary file and no partial report', () => {
      // The CLI's own handler (as bin.ts installs it) around a write of 200 MB.
      const output = JSON.stringify(join(ROOT, 'dist', 'src', 'cli', 'output.js'));
      signalledWhileWriting(`
        const { writeFileAtomic, removeTemporaryFilesOn } = require(${output});
        process.once('SIGTERM', removeTemporaryFilesOn('SIGTERM'));
        writeFileAtomic('report.json', 'x'.repeat(200 * 1024 * 1024));`);
    });

    it('a file with two byte order marks is the same json-syntax error in memory and streamed', async () => {
      const { dir, cleanup } = scratch();
      try {
        const body = Buffer.from(machines(2));
        const variants: [string, Buffer][] = [
          ['two UTF-8 marks', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf]), body])],
          ['UTF-16 LE mark, then a UTF-8 one', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`\ufeff${body.toString()}`, 'utf16le')])],
          ['UTF-16 BE mark twice', Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(`\ufeff${body.toString()}`, 'utf16le').swap16()])],
        ];
        for (const [what, bytes] of variants) {
          writeFileSync(join(dir, 'm.json'), bytes);
          const memory = await readInMemory(join(dir, 'm.json'), 'm.json');
          const streamed = await streamExport(join(dir, 'm.json'), 'm.json', { format: 'json', chunkSize: 3 });
          const shown = [memory, streamed].map((r) => (r.ok ? 'loaded' : `${r.diagnostic.code} ${r.diagnostic.position?.line}:${r.diagnostic.position?.column}`));
          expect(shown, what).to.deep.equal(['json-syntax 1:1', 'json-syntax 1:1']);
        }
        // One mark, of any kind, is the encoding's and is taken off by both.
        writeFileSync(join(dir, 'm.json'), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), body]));
        expect((await readInMemory(join(dir, 'm.json'), 'm.json')).ok).to.equal(true);
        expect((await streamExport(join(dir, 'm.json'), 'm.json', { format: 'json', chunkSize: 3 })).ok).to.equal(true);
      } finally {
        cleanup();
      }
    });
  });

  it('a report to a symbolic link (as /dev/stdout is, to the file stdout was sent to) writes through the link and keeps it', () => {
    const { dir, cleanup } = scratch();
    try {
      // A stand-in for `--output /dev/stdout > report.json`: renaming onto the link would replace it.
      writeFileSync(join(dir, 'report.json'), 'old');
      symlinkSync(join(dir, 'report.json'), join(dir, 'stdout'));
      const bin = join(ROOT, 'dist', 'src', 'cli', 'bin.js');
      const r = spawnSync(process.execPath, [bin, 'lint', CONTOSO, '--format', 'stylish', '--format', 'json', '--output', join(dir, 'stdout')], { encoding: 'utf8' });
      expect(r.status).to.equal(1);
      expect(lstatSync(join(dir, 'stdout')).isSymbolicLink()).to.equal(true);
      expect(JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')).findings.length).to.be.greaterThan(0);
      expect(readdirSync(dir).sort()).to.deep.equal(['report.json', 'stdout']);
    } finally {
      cleanup();
    }
  });

  it('a signal leaves no temporary file of a report a worker thread was writing (lint writes reports in its workers)', () => {
    const output = JSON.stringify(join(ROOT, 'dist', 'src', 'cli', 'output.js'));
    // The handler is in the main thread, the write in a worker: lint names the worker's reports with removedOnSignal.
    signalledWhileWriting(`
      const { Worker } = require('node:worker_threads');
      const { removedOnSignal, removeTemporaryFilesOn } = require(${output});
      process.once('SIGTERM', removeTemporaryFilesOn('SIGTERM'));
      removedOnSignal(['report.json']);
      new Worker("require(${output.replace(/"/g, '\\"')}).writeFileAtomic('report.json', 'x'.repeat(200 * 1024 * 1024))", { eval: true });`);
  });

  it('a baseline whose entries carry other keys (constructor, notes) loads, and only the entry as posture-lint writes it reaches the report', async () => {
    const { dir, cleanup } = scratch();
    try {
      const { report: clean } = await lintAt({ snapshot: CONTOSO });
      const { createBaseline } = await import('../src/gate/baseline');
      const baseline = createBaseline(clean);
      const entries = baseline.findings.map((e, i) => ({ ...e, note: 'reviewed', ...(i === 0 ? { constructor: { prototype: { polluted: true } } } : {}), resource: { ...e.resource, owner: 'x' } }));
      // One entry for a finding that is gone, so it appears as fixed.
      entries.push({ ...entries[0], fingerprint: '', ruleId: 'mde-device-healthy', resource: { kind: 'mde.machines', id: 'gone', owner: 'x' } });
      const { fingerprintOf } = await import('../src/engine/evaluate');
      entries[entries.length - 1].fingerprint = fingerprintOf('mde-device-healthy', { kind: 'mde.machines', id: 'gone' });
      writeFileSync(join(dir, 'baseline.json'), JSON.stringify({ ...baseline, findings: entries }));
      const { report } = await lintAt({ snapshot: CONTOSO, baseline: join(dir, 'baseline.json') });
      expect(reportSchemaErrors(report)).to.deep.equal([]);
      expect(report.baseline?.fixed).to.deep.equal([{ fingerprint: entries[entries.length - 1].fingerprint, ruleId: 'mde-device-healthy', resource: { kind: 'mde.machines', id: 'gone' } }]);
      expect(report.summary.suppressed).to.equal(baseline.findings.length);
    } finally {
      cleanup();
    }
  });

  it('trend refuses a FIFO given as a report and quotes nothing of a file that is not JSON', () => {
    const { dir, cleanup } = scratch();
    try {
      mkfifo(join(dir, 'fifo.json'));
      writeFileSync(join(dir, 'secret.json'), 'AWS_SECRET_ACCESS_KEY=hunter2-horse\n');
      const r = cli(['trend', 'fifo.json', 'secret.json'], dir, 30_000);
      expect(r.signal).to.equal(null);
      expect(r.code).to.equal(2);
      expect(r.stderr + r.stdout).to.match(/fifo\.json +error +.*not a regular file/);
      expect(r.stderr + r.stdout).to.contain('not a JSON report: the file is not valid JSON');
      expect(r.stderr + r.stdout).to.not.match(/hunter2|AWS_SECRET/);
    } finally {
      cleanup();
    }
  });
});
