import { TestDatabases } from '@backstage/backend-test-utils';
import { prepareStatement, queryPrepared } from './sql';

describe('prepareStatement', () => {
  it('numbers each binding once, in order of first use', () => {
    const s = prepareStatement(
      'test',
      'SELECT :a, CAST(:b AS int), :a WHERE x = :b_2',
    );
    expect(s.text).toBe('SELECT $1, CAST($2 AS int), $1 WHERE x = $3');
    expect(s.order).toEqual(['a', 'b', 'b_2']);
  });

  it('leaves casts and colons inside words alone', () => {
    const s = prepareStatement('test', "SELECT x::text, 'a:b', :c");
    expect(s.text).toBe("SELECT x::text, 'a:b', $1");
  });
});

describe('queryPrepared', () => {
  const databases = TestDatabases.create({ ids: ['POSTGRES_15'] });

  it.each(databases.eachSupportedId())(
    'runs a statement with named values, again and again, inside and outside a transaction, on %p',
    async id => {
      const db = await databases.init(id);
      const statement = prepareStatement(
        'sql_test_sum',
        'SELECT CAST(:a AS int) + CAST(:b AS int) AS sum, CAST(:a AS int) AS a',
      );
      for (let i = 0; i < 7; i++) {
        const rows = await queryPrepared<{ sum: number; a: number }>(
          db,
          statement,
          { a: i, b: 10 },
        );
        expect(rows).toEqual([{ sum: i + 10, a: i }]);
      }
      await db.schema.createTable('sql_test', t => t.integer('n'));
      await db
        .transaction(async tx => {
          await queryPrepared(
            tx,
            prepareStatement(
              'sql_test_insert',
              'INSERT INTO sql_test VALUES (CAST(:n AS int))',
            ),
            { n: 1 },
          );
          throw new Error('roll back');
        })
        .catch(() => {});
      expect(await db('sql_test').count({ n: '*' })).toEqual([{ n: '0' }]);

      // values are sent apart from the statement: SQL, placeholders and
      // binding names inside them stay text
      const hostile = "x'); DROP TABLE sql_test; -- :a $1";
      const echoed = await queryPrepared<{ v: string }>(
        db,
        prepareStatement('sql_test_echo', 'SELECT CAST(:v AS text) AS v'),
        { v: hostile },
      );
      expect(echoed).toEqual([{ v: hostile }]);
      expect(await db.schema.hasTable('sql_test')).toBe(true);
    },
  );
});
