// Lints code snippets as if they stood at the given paths, with the project's own ESLint
// config. Runs outside jest because ESLint loads its flat config with a dynamic import.
// stdin: [{ "code": "...", "filePath": "lambdas/core/x.ts" }, ...]; stdout: [[ruleId, ...], ...]
import { ESLint } from 'eslint';

const input = await new Promise((resolve) => {
  let text = '';
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (chunk) => (text += chunk));
  process.stdin.on('end', () => resolve(text));
});
const probes = JSON.parse(input);
// The probes do not exist on disk, so the type-aware parser needs them as default-project files.
const eslint = new ESLint({
  cwd: process.cwd(),
  overrideConfig: {
    languageOptions: {
      parserOptions: {
        projectService: {
          allowDefaultProject: [...new Set(probes.map((p) => p.filePath))],
        },
      },
    },
  },
});
const out = [];
for (const { code, filePath } of probes) {
  const [result] = await eslint.lintText(code, { filePath });
  out.push(
    (result?.messages ?? []).map((m) => m.ruleId ?? `fatal: ${m.message}`)
  );
}
process.stdout.write(JSON.stringify(out));
