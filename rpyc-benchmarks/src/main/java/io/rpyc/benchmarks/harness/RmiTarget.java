package io.rpyc.benchmarks.harness;

/** Java RMI through one stub. */
final class RmiTarget extends Target {
  private final RmiBench.Api api;

  RmiTarget(String stub) {
    super("rmi", "Java RMI");
    this.api = RmiBench.stub(stub);
  }

  @Override
  int add(int a, int b) throws Exception {
    return api.add(a, b);
  }

  @Override
  int echo(byte[] data) throws Exception {
    return api.echo(data).length;
  }

  @Override
  SizeCall remoteList(int n) throws Exception {
    RmiBench.Items items = api.items(n);
    return items::size;
  }

  @Override
  void newObject() throws Exception {
    api.newObject();
  }

  @Override
  int exportedObjects() throws Exception {
    return api.liveObjects();
  }

  @Override
  String note(String rowId) {
    if (rowId.startsWith("add.calls.") && !rowId.equals("add.calls.1thread")) {
      return rowId.equals("add.calls.async")
          ? "RMI has no asynchronous calls: compare with its 1-thread figure"
          : "one stub; RMI opens a TCP connection per concurrent call under it";
    }
    if (rowId.startsWith("refs.")) {
      return "no export table to read: counts exported objects not yet collected after DGC"
          + " released them (server GC)";
    }
    if (rowId.startsWith("list.")) {
      return "a remote Items object with size()";
    }
    return null;
  }

  @Override
  public void close() {
    // RMI connections close themselves when idle
  }
}
