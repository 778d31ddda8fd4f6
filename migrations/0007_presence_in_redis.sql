DROP TABLE `presence`;--> statement-breakpoint
DROP TABLE `presence_processes`;