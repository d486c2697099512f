package dev.swarmkit.bench;

import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.Locale;

/**
 * Runs one benchmark by name: {@code scheduler} runs {@code SchedulerBench}, {@code store} runs
 * {@code StoreBench}, and so on. Each benchmark is a class with its own {@code main}.
 */
public final class BenchMain {

  private BenchMain() {}

  public static void main(String[] args) throws Exception {
    if (args.length == 0) {
      System.err.println("usage: bench.sh NAME [options]   (e.g. scheduler, store)");
      System.exit(2);
    }
    String name = args[0].toLowerCase(Locale.ROOT);
    String className = BenchMain.class.getPackageName() + "."
        + Character.toUpperCase(name.charAt(0)) + name.substring(1) + "Bench";
    Class<?> bench;
    try {
      bench = Class.forName(className);
    } catch (ClassNotFoundException e) {
      System.err.println("unknown benchmark: " + args[0]);
      System.exit(2);
      return;
    }
    Method main = bench.getMethod("main", String[].class);
    main.invoke(null, (Object) Arrays.copyOfRange(args, 1, args.length));
  }
}
