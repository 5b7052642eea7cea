/** Global and project labels (artifacts keep their label references, not the labels). */
import { asList, defineCategory, perProject, system } from '../category';
import { diffKeyed } from '../compare';
import type { MetaLabel } from '../types';

export const labels = defineCategory({
  id: 'labels',
  covers: ['labels'],
  read: [
    system((api) => api.globalLabels(), asList),
    perProject((api, project) => api.projectLabels(project), asList),
  ],
  compare(p: readonly MetaLabel[], t: readonly MetaLabel[], ctx) {
    const relevant = (l: MetaLabel): boolean =>
      l.scope === 'g' || ctx.inBoth(l.project);
    return diffKeyed(p.filter(relevant), t.filter(relevant), {
      category: 'labels',
      key: (l) => (l.scope === 'g' ? l.name : `${l.project}/${l.name}`),
      fields: (l) => ({ description: l.description, color: l.color }),
      missing: () => 'warning',
      changed: () => 'info',
    });
  },
});
