"""The story's instance: ordering it, waiting for it, its settings and its lifecycle."""

import datetime
import time

from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.exceptions import exceptions as sdk_exceptions
from huaweicloudsdkcore.http.http_config import HttpConfig
from huaweicloudsdkdbss.v1 import DbssClient
import huaweicloudsdkdbss.v1 as dbss

from .runner import expect


POLL = 0.05
WAIT_LIMIT = 20.0


def utc_text(moment):
    return moment.strftime("%Y-%m-%d %H:%M:%S")


class InstanceStory:
    """The state the story keeps, how it calls and waits, and its stages on the instance itself
    (a part of `Story`)."""

    def __init__(self, runner, args):
        self.r = runner
        self.args = args
        self.region = args.region
        self.zone = f"{args.region}a"
        now = datetime.datetime.now(datetime.timezone.utc)
        # Audit data covers the month before the endpoint started.
        self.window = {"start_time": utc_text(now - datetime.timedelta(days=31)),
                       "end_time": utc_text(now + datetime.timedelta(minutes=5))}
        self.instance = None
        self.resource = None
        self.old_instance = None
        self.databases = {}
        self.agent = None
        runner.ids["domain"] = args.domain_id
        runner.ids["region"] = args.region

    def call(self, operation, params=None, body=None, merge=True):
        return self.r.call(operation, params, body, merge)

    # Waiting ----------------------------------------------------------------------------------

    def audit_instances(self):
        listed = self.call("ListAuditInstancesLast", {"offset": "0", "limit": "100"})
        return listed.instances or []

    def wait_instance(self, instance_id, status):
        """Polls the instance list until the instance is `status` with no task (or gone)."""
        deadline = time.monotonic() + WAIT_LIMIT
        while True:
            found = [i for i in self.audit_instances() if i.id == instance_id]
            if status is None and not found:
                return None
            if found and found[0].status == status and found[0].task == "NO_TASK":
                return found[0]
            if time.monotonic() > deadline:
                seen = (found[0].status, found[0].task) if found else "gone"
                raise AssertionError(f"instance {instance_id} is {seen}, not {status or 'gone'}")
            time.sleep(POLL)

    def clusters(self, line):
        operation = "ListDbEncryptInstances" if line == "encrypt" else "ListInstances"
        return self.call(operation).clusters or []

    def wait_cluster(self, line, cluster_id, status):
        deadline = time.monotonic() + WAIT_LIMIT
        while True:
            found = [c for c in self.clusters(line) if c.instance_id == cluster_id]
            if status is None and not found:
                return None
            if found:
                server = found[0].detail.server[0]
                if server.status == status and server.task_status == "NO_TASK":
                    return found[0]
            if time.monotonic() > deadline:
                seen = (found[0].detail.server[0].status, found[0].detail.server[0].task_status) if found else "gone"
                raise AssertionError(f"{line} instance {cluster_id} is {seen}, not {status or 'gone'}")
            time.sleep(POLL)

    # Stages -----------------------------------------------------------------------------------

    def wrong_key(self):
        """The control: the endpoint checks the SDK's signatures (a wrong secret key is refused)."""
        client = (DbssClient.new_builder()
                  .with_http_config(HttpConfig(timeout=(5, 30)))
                  .with_credentials(BasicCredentials(self.args.ak, self.args.sk + "-wrong", self.args.project_id))
                  .with_endpoints([self.args.endpoint])
                  .build())
        try:
            client.show_server_version(dbss.ShowServerVersionRequest())
        except sdk_exceptions.ServiceResponseException as error:
            expect(error.status_code in (401, 403), f"a wrong signature got HTTP {error.status_code}")
            return
        raise AssertionError("a request signed with the wrong secret key was accepted")

    def discover(self):
        version = self.call("ShowServerVersion")
        expect(version.to_dict(), "the version answer is empty")
        zones = self.call("ListAvailabilityZoneInfosNew").azs or []
        expect(zones, "no availability zones")
        specs = self.call("ListEcsSpecificationNew", {"image_business_type": 1}).specifications or []
        expect(specs, "no specifications")
        self.quota_before = self.call("ShowAuditQuotaNew").audit_quota
        expect(self.quota_before >= 2, f"audit quota {self.quota_before}")

    def order(self):
        common = {
            "vpc_id": "a2b4c6d8-0000-4000-8000-00000000c0de",
            "availability_zone": self.zone,
            "enterprise_project_id": "0",
            "nics": [{"subnet_id": "b3c5d7e9-0000-4000-8000-00000000c0de", "ip_address": "192.168.0.60"}],
            "security_groups": [{"id": "sg-sdk-0000-4000-8000-000000000001"}],
            "region": self.region,
            "charging_mode": 0,
            "period_type": 2,
            "period_num": 1,
            "subscription_num": 1,
            "tags": [{"key": "env", "value": "ci"}],
        }
        def product(spec_code):
            return [{"product_id": "00301-225396-0--0", "cloud_service_type": "hws.service.type.dbss",
                     "resource_type": "hws.resource.type.dbss", "resource_spec_code": spec_code,
                     "product_spec_desc": "{\"specDesc\":{\"zh-cn\":{},\"en-us\":{}}}"}]

        # Medium: it audits up to 6 databases, and the story adds 5.
        order = self.call("CreateInstancesPeriodOrderNew", body=dict(common, **{
            "name": "sdk-audit", "comment": "ordered by the official SDK",
            "product_infos": product("dbss.bypassaudit.medium"),
        }))
        expect(order.order_id, "the order has no order_id")
        old = self.call("CreateInstancesPeriodOrder", body=dict(common, **{
            "name": "sdk-audit-legacy", "comment": "ordered through the legacy path",
            "nics": [{"subnet_id": "b3c5d7e9-0000-4000-8000-00000000c0de", "ip_address": "192.168.0.61"}],
            "product_infos": product("dbss.bypassaudit.low"),
        }))
        expect(old.order_id and old.order_id != order.order_id, "the two orders share an order_id")
        by_name = {i.name: i for i in self.audit_instances()}
        expect({"sdk-audit", "sdk-audit-legacy"} <= set(by_name), f"ordered instances missing: {sorted(by_name)}")
        mine = by_name["sdk-audit"]
        # BUILD until the build task ends (ACTIVE already if this runs slower than that task).
        expect(mine.status in ("BUILD", "ACTIVE"), f"a new instance is {mine.status}")
        self.instance, self.resource = mine.id, mine.resource_id
        self.old_instance = by_name["sdk-audit-legacy"].id
        self.r.ids.update(instance=self.instance, resource=self.resource)
        active = self.wait_instance(self.instance, "ACTIVE")
        expect(active.resource_spec_code == "dbss.bypassaudit.medium", "the ordered specification")
        self.wait_instance(self.old_instance, "ACTIVE")
        # The older list operations see the same instances.
        new_list = self.call("ListAuditInstancesNew", {"offset": "0", "limit": "100"})
        expect(any(i.instance_id == self.instance for i in new_list.instances or []), "ListAuditInstancesNew")
        v1_list = self.call("ListAuditInstances", {"offset": "0", "limit": "100"})
        expect(any(s.id == self.old_instance for s in v1_list.servers or []), "ListAuditInstances")
        jobs = self.call("ListAuditInstanceJobsNew", {"resource_id": self.resource})
        expect(any(j.job_type == "createAuditInstance" for j in jobs.jobs or []), "no createAuditInstance job")
        self.call("ListAuditInstanceJobs", {"resource_id": self.resource})
        quota = self.call("ShowAuditQuotaNew")
        expect(quota.audit_quota == self.quota_before - 2, f"quota {self.quota_before} -> {quota.audit_quota}")

    def configure_instance(self):
        self.call("UpdateAuditInstanceNew", {"instance_id": self.instance},
                  {"name": "sdk-audit-prod", "comment": "audits the shop databases"})
        self.call("UpdateAuditInstance", {"instance_id": self.old_instance},
                  {"name": "sdk-audit-legacy", "comment": "legacy path"})
        self.call("UpdateAuditSecurityGroupNew",
                  body={"instance_id": self.instance, "securitygroup_ids": ["sg-sdk-0000-4000-8000-000000000002"]})
        self.call("UpdateAuditSecurityGroup",
                  body={"instance_id": self.old_instance, "securitygroup_ids": ["sg-sdk-0000-4000-8000-000000000003"]})
        self.call("SetAuditInstanceTimeZone", {"instance_id": self.instance}, {"timezone": "UTC+01:00"})
        mine = [i for i in self.audit_instances() if i.id == self.instance][0]
        expect(mine.name == "sdk-audit-prod", f"renamed to {mine.name}")
        expect(mine.security_group_id == "sg-sdk-0000-4000-8000-000000000002", "security group change")

    def lifecycle(self):
        for instance, generation in ((self.instance, "New"), (self.old_instance, "")):
            body = {"instance_id": instance}
            self.call(f"StopAuditInstance{generation}", body=body)
            self.wait_instance(instance, "SHUTOFF")
            self.call(f"StartAuditInstance{generation}", body=body)
            self.wait_instance(instance, "ACTIVE")
            self.call(f"RebootAuditInstance{generation}", body=body)
            self.wait_instance(instance, "ACTIVE")
        jobs = self.call("ListAuditInstanceJobsNew", {"resource_id": self.resource}).jobs or []
        kinds = {j.job_type for j in jobs}
        expect({"stopAuditInstance", "startAuditInstance", "rebootAuditInstance"} <= kinds, f"jobs {kinds}")
