import { pullsImages } from '../../../../../lambdas/core/metadata/categories/robots';
import { pullRobot } from '../snapshot-fixture';

describe('pullsImages', () => {
  it('is true for a repository pull permission, false for push only or a deny', () => {
    expect(pullsImages(pullRobot)).toBe(true);
    expect(
      pullsImages({ ...pullRobot, permissions: ['project:a:repository:push'] })
    ).toBe(false);
    expect(
      pullsImages({
        ...pullRobot,
        permissions: ['project:a:repository:pull:deny'],
      })
    ).toBe(false);
  });
});
