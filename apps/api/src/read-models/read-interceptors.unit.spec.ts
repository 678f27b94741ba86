import { RequestMethod, type DynamicModule, type Type } from '@nestjs/common';
import { INTERCEPTORS_METADATA, METHOD_METADATA, MODULE_METADATA } from '@nestjs/common/constants';
import type { AppConfig } from '@passerelle/config';
import { AppModule } from '../app.module';
import { ReadInterceptors } from './read-interceptors';

type ModuleLike = Type | DynamicModule | Promise<DynamicModule> | { forwardRef: () => Type };

/** Every controller of the application, from its modules' metadata (nothing is instantiated). */
function controllersOf(root: ModuleLike): Set<Type> {
  const controllers = new Set<Type>();
  const seen = new Set<unknown>();
  const visit = (entry: ModuleLike | undefined) => {
    if (!entry || entry instanceof Promise || 'forwardRef' in entry) return;
    const dynamic = 'module' in entry ? entry : undefined;
    const type = dynamic ? dynamic.module : (entry as Type);
    if (seen.has(dynamic ?? type)) return;
    seen.add(dynamic ?? type);
    const own = (key: string) => (Reflect.getMetadata(key, type) as ModuleLike[] | undefined) ?? [];
    for (const controller of [...own(MODULE_METADATA.CONTROLLERS), ...(dynamic?.controllers ?? [])]) {
      controllers.add(controller as Type);
    }
    for (const imported of [...own(MODULE_METADATA.IMPORTS), ...((dynamic?.imports ?? []) as ModuleLike[])]) {
      visit(imported);
    }
  };
  visit(root);
  return controllers;
}

describe('@ReadSide()', () => {
  it('puts the read interceptors on every GET route of the application, and on no other', () => {
    const config = { rateLimitPerMinute: 0, logLevel: 'silent' } as AppConfig;
    const routes: string[] = [];
    const wrong: string[] = [];
    for (const controller of controllersOf(AppModule.forRoot(config))) {
      const onClass = (Reflect.getMetadata(INTERCEPTORS_METADATA, controller) as unknown[] | undefined) ?? [];
      for (const name of Object.getOwnPropertyNames(controller.prototype)) {
        const handler = (controller.prototype as Record<string, unknown>)[name];
        if (typeof handler !== 'function') continue;
        const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        if (method === undefined) continue;
        const onMethod = (Reflect.getMetadata(INTERCEPTORS_METADATA, handler) as unknown[] | undefined) ?? [];
        const intercepted = [...onClass, ...onMethod].includes(ReadInterceptors);
        const route = `${RequestMethod[method]} ${controller.name}.${name}`;
        routes.push(route);
        if (intercepted !== (method === RequestMethod.GET)) wrong.push(route);
      }
    }
    expect(wrong).toEqual([]);
    // The walk found the application's routes, commands and reads alike.
    expect(routes).toEqual(
      expect.arrayContaining([
        'GET HealthController.live',
        'GET PartnershipsReadController.detail',
        'GET DashboardController.stream',
        'POST PartnershipCommandsController.propose',
        'POST OrganizationsController.register',
        'GET OrganizationsController.get',
      ]),
    );
    expect(routes.length).toBeGreaterThan(40);
  });
});
