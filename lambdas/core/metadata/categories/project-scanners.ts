/** The scanner each project uses, reported with the project's settings. */
import { defineCategory, perProject } from '../category';
import { diffKeyed } from '../compare';

interface ProjectScanner {
  project: string;
  scanner: string | null;
}

export const projectScanners = defineCategory({
  id: 'projectScanners',
  covers: ['project-settings'],
  read: [
    perProject(
      (api, project) => api.projectScanner(project),
      (scanner, project): ProjectScanner[] => [
        { project: project.name, scanner },
      ]
    ),
  ],
  compare(p: readonly ProjectScanner[], t: readonly ProjectScanner[], ctx) {
    return diffKeyed(
      p.filter((x) => ctx.inBoth(x.project)),
      t.filter((x) => ctx.inBoth(x.project)),
      {
        category: 'project-settings',
        key: (x) => `${x.project}/scanner`,
        fields: (x) => ({ scanner: x.scanner ?? 'none' }),
        missing: () => 'info',
        changed: () => 'info',
        extra: () => undefined,
      }
    );
  },
});
