package dev.swarmkit.scheduler;

import dev.swarmkit.api.Task;

/** A change the scheduler wants to write: the task as it read it, and as it should become. */
record Decision(Task oldTask, Task newTask) {}
