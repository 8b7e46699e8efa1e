import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('organizations', '0006_liaison_phone_end_anchor'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='campaign',
            options={'ordering': ['-starts_on', 'name'], 'permissions': [('manage_personal_data', '可以查询、导出和删除个人信息')], 'verbose_name': '宣传活动', 'verbose_name_plural': '宣传活动'},
        ),
        migrations.AddField(
            model_name='campaign',
            name='retention_days',
            field=models.PositiveSmallIntegerField(default=180, help_text='活动结束后保留参与者姓名、班级、手机号和 IP 地址的天数。期满后这些信息被匿名化，参与人数等统计不变。', validators=[django.core.validators.MaxValueValidator(3650)], verbose_name='个人信息保留天数'),
        ),
        migrations.AddConstraint(
            model_name='campaign',
            constraint=models.CheckConstraint(condition=models.Q(('retention_days__lte', 3650)), name='organizations_campaign_retention_range', violation_error_message='个人信息最多保留3650天。'),
        ),
    ]
