package dev.swarmkit.manager.logbroker;

import dev.swarmkit.api.LogsGrpc;
import dev.swarmkit.api.SubscribeLogsMessage;
import dev.swarmkit.api.SubscribeLogsRequest;
import io.grpc.stub.StreamObserver;

/** The Logs API (clients subscribe to task logs), served by the {@link LogBroker}. */
final class LogsService extends LogsGrpc.LogsImplBase {

  private final LogBroker broker;

  LogsService(LogBroker broker) {
    this.broker = broker;
  }

  @Override
  public void subscribeLogs(SubscribeLogsRequest request, StreamObserver<SubscribeLogsMessage> responseObserver) {
    broker.subscribeLogs(request, responseObserver);
  }
}
