import { actingForOf } from './acting-scope';

const ORG = '0a000000-0000-4000-8000-000000000002';

describe('whom an actor acts for', () => {
  it('a token with an organisation acts for it', () => {
    expect(actingForOf({ sub: 'o', roles: ['officer'], org: ORG })).toBe(ORG);
    expect(actingForOf({ sub: 'o', roles: ['viewer', 'officer'], org: ORG })).toBe(ORG);
    // Fails closed: were another role ever let through to a command, it would still be scoped.
    expect(actingForOf({ sub: 'v', roles: ['auditor'], org: ORG })).toBe(ORG);
  });

  it('an officer without one is program staff and acts for everyone', () => {
    expect(actingForOf({ sub: 'o', roles: ['officer'] })).toBeNull();
  });

  it('an admin acts for everyone, even with an organisation in the token', () => {
    expect(actingForOf({ sub: 'a', roles: ['admin'], org: ORG })).toBeNull();
    expect(actingForOf({ sub: 'a', roles: ['officer', 'admin'], org: ORG })).toBeNull();
  });

  it('the scheduler and the demo loader, with no organisation, act for everyone', () => {
    expect(actingForOf({ sub: 'passerelle-scheduler', roles: [] })).toBeNull();
  });
});
