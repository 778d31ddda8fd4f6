CREATE TABLE `notification_channels` (
	`user_id` integer NOT NULL,
	`kind` text NOT NULL,
	`inbox` integer NOT NULL,
	`toast` integer NOT NULL,
	`desktop` integer NOT NULL,
	PRIMARY KEY(`user_id`, `kind`),
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `notification_channels_kind_idx` ON `notification_channels` (`kind`,`user_id`) WHERE inbox = 0;--> statement-breakpoint
CREATE TABLE `notification_idempotency_keys` (
	`caller_id` integer NOT NULL,
	`key` text NOT NULL,
	`body_hash` text NOT NULL,
	`answer` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`caller_id`, `key`),
	FOREIGN KEY (`caller_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `notification_idempotency_keys_created_idx` ON `notification_idempotency_keys` (`created_at`);--> statement-breakpoint
CREATE TABLE `notification_mutes` (
	`user_id` integer NOT NULL,
	`thread` text NOT NULL,
	`until` integer,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`user_id`, `thread`),
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `notification_mutes_thread_idx` ON `notification_mutes` (`thread`,`user_id`);--> statement-breakpoint
CREATE TABLE `notification_settings` (
	`user_id` integer PRIMARY KEY NOT NULL,
	`quiet_start` text,
	`quiet_end` text,
	`time_zone` text,
	`self_caused` integer DEFAULT true NOT NULL,
	`away_count` integer DEFAULT 0 NOT NULL,
	`away_until` integer,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `notification_settings_away_idx` ON `notification_settings` (`away_until`) WHERE away_until IS NOT NULL;--> statement-breakpoint
ALTER TABLE `notifications` ADD `thread` text;--> statement-breakpoint
ALTER TABLE `notifications` ADD `archived_at` integer;--> statement-breakpoint
ALTER TABLE `notifications` ADD `snoozed_until` integer;--> statement-breakpoint
CREATE INDEX `notifications_archived_idx` ON `notifications` (`user_id`,`id`) WHERE archived_at IS NOT NULL;--> statement-breakpoint
CREATE INDEX `notifications_snoozed_idx` ON `notifications` (`user_id`,`id`) WHERE snoozed_until IS NOT NULL;--> statement-breakpoint
CREATE INDEX `notifications_snooze_due_idx` ON `notifications` (`snoozed_until`) WHERE snoozed_until IS NOT NULL;