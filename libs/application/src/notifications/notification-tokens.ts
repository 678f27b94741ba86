/** The notification settings of this process (from the configuration; tests shorten the delays). */
export const NOTIFICATION_SETTINGS = Symbol('NOTIFICATION_SETTINGS');
export const NOTIFICATIONS_RUNTIME = Symbol('NOTIFICATIONS_RUNTIME');
export const DISPATCHER_LOCKS = Symbol('DISPATCHER_LOCKS');
