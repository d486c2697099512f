package dev.swarmkit.manager.logbroker;

import dev.swarmkit.api.ListenSubscriptionsRequest;
import dev.swarmkit.api.LogBrokerGrpc;
import dev.swarmkit.api.PublishLogsMessage;
import dev.swarmkit.api.PublishLogsResponse;
import dev.swarmkit.api.SubscriptionMessage;
import io.grpc.stub.StreamObserver;

/** The LogBroker API (workers learn subscriptions and publish logs), served by the {@link LogBroker}. */
final class LogBrokerService extends LogBrokerGrpc.LogBrokerImplBase {

  private final LogBroker broker;

  LogBrokerService(LogBroker broker) {
    this.broker = broker;
  }

  @Override
  public void listenSubscriptions(ListenSubscriptionsRequest request, StreamObserver<SubscriptionMessage> responseObserver) {
    broker.listenSubscriptions(responseObserver);
  }

  @Override
  public StreamObserver<PublishLogsMessage> publishLogs(StreamObserver<PublishLogsResponse> responseObserver) {
    return broker.publishLogs(responseObserver);
  }
}
