import { applyQ, applySort, parseQ } from '../../../../lab/harbor/http/q';
import {
  linkHeader,
  pageParams,
  paginate,
} from '../../../../lab/harbor/http/pagination';
import { HarborError } from '../../../../lab/harbor/http/harbor-error';
import {
  parseCron,
  firesBetween,
  validateReplicationCron,
} from '../../../../lab/harbor/replication/cron';

interface Row {
  id: number;
  name: string;
  t: Date;
}
const rows: Row[] = [
  { id: 1, name: 'alpha', t: new Date('2026-01-01T00:00:00Z') },
  { id: 2, name: 'beta', t: new Date('2026-01-02T00:00:00Z') },
  { id: 3, name: 'alphabet', t: new Date('2026-01-03T00:00:00Z') },
];
const fields = {
  id: (r: Row) => r.id,
  name: (r: Row) => r.name,
  creation_time: (r: Row) => r.t,
};

describe('Harbor q syntax', () => {
  it('parses exact, fuzzy, range and lists', () => {
    expect(parseQ('name=alpha,id=[1~2],tags={a b},labels=(1 2),x=~y')).toEqual([
      { key: 'name', kind: 'exact', value: 'alpha' },
      { key: 'id', kind: 'range', min: 1, max: 2 },
      { key: 'tags', kind: 'or', values: ['a', 'b'] },
      { key: 'labels', kind: 'and', values: [1, 2] },
      { key: 'x', kind: 'fuzzy', value: 'y' },
    ]);
  });
  it('unescapes the value a second time (+ is a space, %2B is +)', () => {
    expect(parseQ('name=proj%2Bbot')).toEqual([
      { key: 'name', kind: 'exact', value: 'proj+bot' },
    ]);
    expect(parseQ('name=a+b')).toEqual([
      { key: 'name', kind: 'exact', value: 'a b' },
    ]);
  });
  it('filters and ignores unknown keys', () => {
    expect(
      applyQ(rows, parseQ('name=~alpha'), fields).map((r) => r.id)
    ).toEqual([1, 3]);
    expect(applyQ(rows, parseQ('nmae=alpha'), fields)).toHaveLength(3);
    expect(
      applyQ(rows, parseQ('creation_time=[2026-01-02T00:00:00~]'), fields).map(
        (r) => r.id
      )
    ).toEqual([2, 3]);
    expect(applyQ(rows, parseQ('id={1 3}'), fields).map((r) => r.id)).toEqual([
      1, 3,
    ]);
  });
  it('sorts by known keys, ignoring unknown ones', () => {
    expect(applySort(rows, '-id', fields, 'name').map((r) => r.id)).toEqual([
      3, 2, 1,
    ]);
    expect(applySort(rows, 'bogus', fields, 'name').map((r) => r.id)).toEqual([
      1, 3, 2,
    ]);
  });
});

describe('Harbor pagination', () => {
  const url = (q: string) => new URL(`http://h/api/v2.0/projects?${q}`);
  it('defaults to page 1 of 10 and rejects page_size > 100 with 422', () => {
    expect(pageParams(url(''))).toEqual({ page: 1, pageSize: 10 });
    expect(() => pageParams(url('page_size=101'))).toThrow(HarborError);
    try {
      pageParams(url('page_size=101'));
    } catch (e) {
      expect((e as HarborError).status).toBe(422);
    }
  });
  it('builds relative, un-escaped links with sorted keys joined by " , "', () => {
    const u = url('page=2&page_size=1&q=name%3D%7Ba%20b%7D');
    expect(linkHeader(u, pageParams(u), 3)).toBe(
      '</api/v2.0/projects?page=1&page_size=1&q=name={a b}>; rel="prev" , </api/v2.0/projects?page=3&page_size=1&q=name={a b}>; rel="next"'
    );
    const { items, headers } = paginate(u, ['x', 'y', 'z']);
    expect(items).toEqual(['y']);
    expect(headers['X-Total-Count']).toBe('3');
  });
});

describe('replication cron', () => {
  it('validates Harbor rules', () => {
    expect(() => {
      validateReplicationCron('0 0 * * * *');
    }).not.toThrow();
    expect(() => {
      validateReplicationCron('5 0 * * * *');
    }).toThrow();
    expect(() => {
      validateReplicationCron('0 * * * * *');
    }).toThrow();
    expect(() => {
      validateReplicationCron('0 0 * * *');
    }).toThrow();
  });
  it('fires in an interval', () => {
    const c = parseCron('0 */15 * * * *');
    expect(
      firesBetween(
        c,
        new Date('2026-01-01T00:01:00Z'),
        new Date('2026-01-01T00:14:59Z')
      )
    ).toBe(false);
    expect(
      firesBetween(
        c,
        new Date('2026-01-01T00:01:00Z'),
        new Date('2026-01-01T00:15:00Z')
      )
    ).toBe(true);
  });
});

describe('Harbor sort over rows handed over in order', () => {
  const fields = {
    id: (r: { id: number; t: number }) => r.id,
    push_time: (r: { id: number; t: number }) => r.t,
  };
  const rows = [
    { id: 1, t: 10 },
    { id: 2, t: 10 },
    { id: 3, t: 20 },
    { id: 4, t: 30 },
  ];
  it('gives what a stable sort gives for rows already in order, reversed, or neither', () => {
    const ids = (sort: string) =>
      applySort(rows, sort, fields, 'id').map((r) => r.id);
    expect(ids('id')).toEqual([1, 2, 3, 4]);
    expect(ids('-id')).toEqual([4, 3, 2, 1]);
    expect(ids('-push_time,-id')).toEqual([4, 3, 2, 1]);
    // Ties keep the input order: not a strict reverse, so sorted, not reversed.
    expect(ids('-push_time')).toEqual([4, 3, 1, 2]);
    expect(ids('push_time')).toEqual([1, 2, 3, 4]);
    const shuffled = [rows[2], rows[0], rows[3], rows[1]] as typeof rows;
    expect(
      applySort(shuffled, '-push_time,id', fields, 'id').map((r) => r.id)
    ).toEqual([4, 3, 1, 2]);
    // The input is never returned or changed.
    expect(applySort(rows, 'id', fields, 'id')).not.toBe(rows);
    expect(rows.map((r) => r.id)).toEqual([1, 2, 3, 4]);
  });
});
